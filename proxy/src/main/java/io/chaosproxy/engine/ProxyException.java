package io.chaosproxy.engine;

/** A request the engine refuses for a reason other than bad input; {@link Kind} maps to an HTTP status. */
public class ProxyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Kind { NOT_FOUND, CONFLICT, LISTEN_FAILED, UNAVAILABLE }

    private final Kind kind;

    public ProxyException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
