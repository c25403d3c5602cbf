package io.chaosproxy.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain socket to the API, for what an HTTP client library would not do: pipelining, slow bytes, no reads. */
final class RawSocket implements AutoCloseable {
    final Socket socket;

    RawSocket(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(15_000);
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** Everything the server sends until it closes the connection (or the socket timeout). */
    String readUntilClosed() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("connection still open after " + socket.getSoTimeout() + " ms; got: " + out);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection (EOF or reset) within {@code millis}. */
    boolean closedWithin(long millis) throws IOException {
        socket.setSoTimeout((int) millis);
        try {
            while (socket.getInputStream().read() >= 0) {
                // drain what precedes the close
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** One request sent as written (no client library escaping the path), answered and closed. */
    static ApiClient.Reply exchange(int port, String method, String path, byte[] body) throws IOException {
        try (RawSocket c = new RawSocket(port)) {
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Length: " + (body == null ? 0 : body.length) + "\r\n\r\n";
            c.socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                c.socket.getOutputStream().write(body);
            }
            String all = c.readUntilClosed();
            if (all.isEmpty()) {
                throw new AssertionError(method + " " + path + ": connection closed with no answer");
            }
            int status = Integer.parseInt(all.substring(9, 12));
            int split = all.indexOf("\r\n\r\n");
            String headers = all.substring(0, split).toLowerCase(java.util.Locale.ROOT);
            String type = headers.contains("content-type: application/json") ? ApiResponse.JSON : "";
            return new ApiClient.Reply(status, type, all.substring(split + 4));
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
