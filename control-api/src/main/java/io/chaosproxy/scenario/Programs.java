package io.chaosproxy.scenario;

import io.chaosproxy.scenario.ScenarioServer.ServerScript;
import java.io.IOException;
import java.net.SocketTimeoutException;

/**
 * The small programs at both ends, all plain JDK sockets. The protocol is HTTP/1.0-shaped so a user's own client
 * ({@code curl}) can be pointed at the same server: the client sends {@link #REQUEST}, the server answers with a
 * head and a body of lowercase letters. The greeting pair speaks first from the server (as SMTP or MySQL do).
 */
final class Programs {
    static final String REQUEST = "GET / HTTP/1.0\r\nHost: scenario\r\n\r\n";
    static final String GREETING = "220 scenario server ready\r\n";

    private Programs() {
    }

    /** What the client does with its {@link ClientIo}; an exception it throws becomes its outcome. */
    @FunctionalInterface
    interface ClientScript {
        void run(ClientIo io) throws IOException;
    }

    // ---- servers ----

    /**
     * Reads the request head, answers with {@code bodyBytes}; then either closes at once ({@code closeAfter}, a
     * close-delimited answer without Content-Length) or keeps the connection until the client's EOF.
     */
    static ServerScript answer(int bodyBytes, boolean closeAfter) {
        return (socket, io) -> {
            if (io.readHead(false) == null) {
                io.close();
                return;
            }
            io.write(head(bodyBytes, !closeAfter).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    "HTTP/1.0 200 OK head");
            io.write(body(bodyBytes), bodyBytes + "-byte body");
            if (!closeAfter) {
                io.readUntilEof();
            }
            io.close();
        };
    }

    /** {@link #answer} over TLS: the TLS handshake first (as the server), then the same exchange through it. */
    static ServerScript tlsAnswer(int bodyBytes) {
        ServerScript plain = answer(bodyBytes, false);
        return (socket, io) -> plain.serve(socket, io.startTls());
    }

    /** Speaks first: a greeting line, then waits for a command line, answers it and closes. */
    static ServerScript greeter() {
        return (socket, io) -> {
            io.write(GREETING);
            if (io.readHead(true) != null) {
                io.write("221 bye\r\n");
            }
            io.close();
        };
    }

    /** Reads everything up to the client's EOF (at most {@code readTimeoutMs} between bytes), then answers. */
    static ServerScript readAllThenAnswer(int readTimeoutMs) {
        return (socket, io) -> {
            io.soTimeout(readTimeoutMs);
            long n = io.readUntilEof();
            if (n >= 0) {
                io.write(head(2, false) + "ok");
            }
            io.close();
        };
    }

    /** Reads one chunk and closes with the rest unread: its kernel answers what follows with an RST. */
    static ServerScript readOnceThenClose() {
        return (socket, io) -> {
            io.readOnce(1024);
            io.close();
        };
    }

    static String head(int bodyBytes, boolean withLength) {
        return "HTTP/1.0 200 OK\r\n" + (withLength ? "Content-Length: " + bodyBytes + "\r\n" : "") + "\r\n";
    }

    static byte[] body(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    // ---- clients ----

    /** Sends the request and reads the answer (by Content-Length, or to EOF without one). */
    static ClientScript request() {
        return io -> {
            io.connect();
            io.write(REQUEST);
            io.readHttpAnswer();
        };
    }

    /** {@link #request()} over TLS ({@code protocol} pinned): connect, TLS handshake, then the exchange. */
    static ClientScript tlsRequest(String protocol) {
        return io -> {
            io.connect();
            io.startTls(protocol);
            io.write(REQUEST);
            io.readHttpAnswer();
        };
    }

    /**
     * As {@link #request()}, and when the read times out, probes the connection: writes a line twice, 200 ms
     * apart, and reads again, to see whether (and how) the half-open connection is noticed.
     */
    static ClientScript requestThenProbe() {
        return io -> {
            io.connect();
            io.write(REQUEST);
            try {
                io.readHttpAnswer();
            } catch (SocketTimeoutException e) {
                io.failed(e);
                try {
                    io.write("PING\r\n");
                    sleep(200);
                    io.write("PING\r\n");
                    long n = io.readUntilEof();
                    io.andThen("two writes succeeded and the next read got EOF after " + n + " bytes");
                } catch (IOException probe) {
                    io.andThen("a probe write and read got " + StepLog.describe(probe));
                }
            }
        };
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the server's greeting line, sends QUIT and reads the reply up to EOF. */
    static ClientScript greeted() {
        return io -> {
            io.connect();
            String greeting = io.readLine();
            if (greeting == null) {
                io.eof("EOF before any greeting");
                return;
            }
            io.write("QUIT\r\n");
            long n = io.readUntilEof();
            io.ok("greeting '" + greeting.trim() + "', then " + n + " bytes of reply and EOF");
        };
    }

    /** Sends a few bytes, half-closes (FIN) and waits for the answer up to EOF. */
    static ClientScript uploadThenHalfClose() {
        return io -> {
            io.connect();
            io.write("hello\r\n");
            io.shutdownOutput();
            long n = io.readUntilEof();
            if (n == 0) {
                io.eof("EOF with no answer (0 bytes)");
            } else {
                io.ok(n + " bytes of answer, then EOF");
            }
        };
    }

    /** Sends the request head, then keeps sending 64 KiB chunks for up to {@code millis}. */
    static ClientScript keepSending(long millis) {
        return io -> {
            io.connect();
            io.write(REQUEST);
            byte[] chunk = body(64 * 1024);
            long end = System.nanoTime() + millis * 1_000_000;
            io.note("keeps writing 64 KiB chunks (for up to " + millis + " ms)");
            while (System.nanoTime() < end) {
                io.writeChunk(chunk);
            }
            io.ok("wrote " + io.sent + " bytes without an error");
        };
    }
}
