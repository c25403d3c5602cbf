package io.chaosproxy.client;

/**
 * A control API call that failed. {@link #status()} is the HTTP status the server answered (400 bad request, 404 no
 * such proxy or toxic, 409 already exists, 422 the engine a toxic needs is unavailable here, 500 the listen failed),
 * or {@code 0} when no answer came at all (server down, connection refused, interrupted); {@link #serverMessage()}
 * is the server's own message, which names the field at fault and the allowed range.
 */
public class ChaosProxyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String serverMessage;
    private final String method;
    private final String path;

    public ChaosProxyException(int status, String serverMessage, String method, String path, Throwable cause) {
        super(describe(status, serverMessage, method, path), cause);
        this.status = status;
        this.serverMessage = serverMessage;
        this.method = method;
        this.path = path;
    }

    private static String describe(int status, String message, String method, String path) {
        return status == 0
                ? method + " " + path + ": no answer from chaos-proxy: " + message
                : method + " " + path + ": " + status + " " + message;
    }

    /** The HTTP status, or 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    /** The server's {@code error} message (or the I/O failure's, with status 0). */
    public String serverMessage() {
        return serverMessage;
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    public boolean isNotFound() {
        return status == 404;
    }

    public boolean isConflict() {
        return status == 409;
    }

    public boolean isBadRequest() {
        return status == 400;
    }

    /** The toxic needs an engine that is unavailable here (the packet engine without CAP_NET_ADMIN, say). */
    public boolean isUnavailable() {
        return status == 422;
    }
}
