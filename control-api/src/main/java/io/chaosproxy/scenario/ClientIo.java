package io.chaosproxy.scenario;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The built-in client's socket: connect, write and read, each logged on the run's clock with what it returned or
 * threw, and the byte counts. The outcome is set once ({@link #ok}, {@link #eof} or {@link #failed}); setting it
 * takes the "outcome" socket snapshot, while the client's socket is still open.
 */
final class ClientIo {
    final String host;
    final int port;
    final int connectTimeoutMs;
    final int readTimeoutMs;
    private final StepLog log;
    private final Consumer<String> snapshot;
    private Socket socket;
    Double connectMillis;
    long sent;
    long received;
    String outcome;
    String saw;
    Throwable failure;
    /** When the outcome was set (before the snapshot it triggers), on the run's clock. */
    double outcomeMillis = -1;

    ClientIo(String host, int port, int connectTimeoutMs, int readTimeoutMs, StepLog log, Consumer<String> snapshot) {
        this.host = host;
        this.port = port;
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
        this.log = log;
        this.snapshot = snapshot;
    }

    Socket connect() throws IOException {
        socket = new Socket();
        socket.setSoTimeout(readTimeoutMs);
        log.add("connect() to " + host + ":" + port + " (connect timeout " + connectTimeoutMs + " ms)");
        double start = log.now();
        try {
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
        } catch (IOException e) {
            log.add("connect() failed after " + fmt(log.now() - start) + " ms: " + StepLog.describe(e));
            throw e;
        }
        connectMillis = round(log.now() - start);
        log.add("connected from port " + socket.getLocalPort() + " in " + fmt(connectMillis) + " ms");
        return socket;
    }

    /**
     * Starts TLS on the connected socket (SNI localhost, {@code protocol} pinned) and runs the handshake, logged
     * with its duration or what it threw; later reads and writes go through TLS.
     */
    void startTls(String protocol) throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ScenarioTls.client(protocol).getSocketFactory()
                .createSocket(socket, "localhost", port, true);
        javax.net.ssl.SSLParameters params = tls.getSSLParameters();
        params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("localhost")));
        tls.setSSLParameters(params);
        socket = tls;
        log.add("TLS handshake started (ClientHello, " + protocol + ", SNI localhost)");
        double start = log.now();
        try {
            tls.startHandshake();
        } catch (IOException e) {
            log.add("TLS handshake failed after " + fmt(log.now() - start) + " ms: " + StepLog.describe(e));
            throw e;
        }
        log.add("TLS handshake done: " + tls.getSession().getProtocol() + " in " + fmt(log.now() - start) + " ms");
    }

    void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.ISO_8859_1), ServerIo.firstLine(text));
    }

    void write(byte[] bytes, String what) throws IOException {
        try {
            socket.getOutputStream().write(bytes);
        } catch (IOException e) {
            log.add("write of " + bytes.length + " bytes failed: " + StepLog.describe(e));
            throw e;
        }
        sent += bytes.length;
        log.add("wrote " + bytes.length + " bytes" + (what.isEmpty() ? "" : " (" + what + ")"));
    }

    /** Writes quietly (no step per chunk): for a client that keeps sending. */
    void writeChunk(byte[] bytes) throws IOException {
        try {
            socket.getOutputStream().write(bytes);
        } catch (IOException e) {
            log.add("write failed after " + sent + " bytes sent: " + StepLog.describe(e));
            throw e;
        }
        sent += bytes.length;
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
        log.add("shutdownOutput(): a FIN, 'I have nothing more to send'");
    }

    /** Reads one line (a greeting); null on EOF. */
    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                firstByte();
                line.write(b);
                received++;
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1);
                    log.add("read a line: " + text.trim());
                    return text;
                }
            }
        } catch (IOException e) {
            log.add("read failed after " + received + " bytes: " + StepLog.describe(e));
            throw e;
        }
        log.add("read EOF after " + received + " bytes");
        return null;
    }

    /**
     * Reads an HTTP/1.0 answer: the head, then Content-Length bytes or, without one, up to EOF. Sets the outcome
     * ({@code ok}, or {@code eof} when the connection ended early); exceptions go to the caller.
     */
    void readHttpAnswer() throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        try {
            int b;
            while (!head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0) {
                firstByte();
                head.append((char) b);
                received++;
            }
            if (!head.toString().endsWith("\r\n\r\n")) {
                log.add("read EOF after " + received + " bytes, in the middle of the answer's head");
                eof("EOF after " + received + " bytes, before the answer's head ended");
                return;
            }
            String status = ServerIo.firstLine(head.toString());
            long length = contentLength(head.toString());
            log.add("read the answer's head (" + head.length() + " bytes): " + status
                    + (length < 0 ? ", no Content-Length: the body ends at EOF" : ", Content-Length " + length));
            byte[] buf = new byte[16384];
            long body = 0;
            while (length < 0 || body < length) {
                int n = in.read(buf, 0, (int) (length < 0 ? buf.length : Math.min(buf.length, length - body)));
                if (n < 0) {
                    log.add("read EOF after " + body + " body bytes");
                    if (length >= 0) {
                        eof("EOF after " + received + " bytes: " + body + " of " + length + " body bytes");
                    } else {
                        ok(status + ", " + body + " body bytes, then EOF");
                    }
                    return;
                }
                body += n;
                received += n;
            }
            log.add("read the whole body: " + body + " bytes");
            ok(status + ", " + body + " body bytes");
        } catch (IOException e) {
            log.add("read failed after " + received + " bytes: " + StepLog.describe(e));
            throw e;
        }
    }

    /** Reads until EOF; the bytes read. */
    long readUntilEof() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[16384];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                firstByte();
                total += n;
                received += n;
            }
        } catch (IOException e) {
            log.add("read failed after " + total + " bytes: " + StepLog.describe(e));
            throw e;
        }
        log.add("read EOF" + (total == 0 ? " (no bytes)" : " after " + total + " bytes"));
        return total;
    }

    private boolean sawFirstByte;

    private void firstByte() {
        if (!sawFirstByte) {
            sawFirstByte = true;
            log.add("first byte arrived");
        }
    }

    void note(String what) {
        log.add(what);
    }

    void ok(String what) {
        settle("ok", what, null);
    }

    void eof(String what) {
        settle("eof", what, null);
    }

    void failed(Throwable e) {
        settle("exception", StepLog.describe(e) + " (" + received + " bytes received)", e);
    }

    /** Adds to what the client saw after its outcome (a probe after a timeout). */
    void andThen(String what) {
        saw = saw + "; then " + what;
    }

    private void settle(String how, String what, Throwable e) {
        if (outcome == null) {
            outcomeMillis = log.now();
            outcome = how;
            saw = what;
            failure = e;
            snapshot.accept("when the client's outcome was known");
        }
    }

    void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).trim());
            }
        }
        return -1;
    }

    static double round(double ms) {
        return Math.round(ms * 100) / 100.0;
    }

    static String fmt(double ms) {
        return ms >= 100 ? String.valueOf(Math.round(ms)) : String.valueOf(round(ms));
    }
}
