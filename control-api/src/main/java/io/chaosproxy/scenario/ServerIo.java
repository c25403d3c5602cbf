package io.chaosproxy.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** The server side's reads and writes, each logged with what it returned or threw. */
final class ServerIo {
    private final Socket socket;
    private final StepLog log;

    ServerIo(Socket socket, StepLog log) {
        this.socket = socket;
        this.log = log;
    }

    /**
     * Reads until a blank line (the end of a request head), or a line when {@code oneLine}, or EOF. Null on EOF
     * before anything arrived.
     */
    String readHead(boolean oneLine) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder s = new StringBuilder();
        try {
            int b;
            while ((b = in.read()) >= 0) {
                s.append((char) b);
                if (oneLine ? s.toString().endsWith("\n") : (s.toString().endsWith("\r\n\r\n")
                        || s.toString().endsWith("\n\n"))) {
                    log.add("read " + s.length() + " bytes: " + firstLine(s.toString()));
                    return s.toString();
                }
            }
        } catch (IOException e) {
            log.add("read failed after " + s.length() + " bytes: " + StepLog.describe(e));
            throw e;
        }
        log.add("read EOF after " + s.length() + " bytes" + (s.length() == 0 ? "" : ": " + firstLine(s.toString())));
        return s.length() == 0 ? null : s.toString();
    }

    /** Reads until EOF; returns the byte count, or -1 when the read timed out (logged either way). */
    long readUntilEof() throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            log.add("read timed out after " + socket.getSoTimeout() + " ms (" + total + " bytes, no EOF): "
                    + StepLog.describe(e));
            return -1;
        } catch (IOException e) {
            log.add("read failed after " + total + " bytes: " + StepLog.describe(e));
            throw e;
        }
        log.add("read EOF" + (total == 0 ? "" : " after " + total + " bytes"));
        return total;
    }

    /** One read of up to {@code max} bytes. */
    int readOnce(int max) throws IOException {
        byte[] buf = new byte[max];
        try {
            int n = socket.getInputStream().read(buf);
            log.add(n < 0 ? "read EOF" : "read " + n + " bytes");
            return n;
        } catch (IOException e) {
            log.add("read failed: " + StepLog.describe(e));
            throw e;
        }
    }

    /** Starts TLS as the server on this connection; the returned ServerIo reads and writes through it. */
    ServerIo startTls() throws IOException {
        javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ScenarioTls.server().getSocketFactory()
                .createSocket(socket, null, socket.getPort(), true);
        tls.setUseClientMode(false);
        double start = log.now();
        try {
            tls.startHandshake();
        } catch (IOException e) {
            log.add("TLS handshake failed after " + Math.round(log.now() - start) + " ms: " + StepLog.describe(e));
            throw e;
        }
        log.add("TLS handshake done: " + tls.getSession().getProtocol());
        return new ServerIo(tls, log);
    }

    void write(String text) throws IOException {
        write(text.getBytes(StandardCharsets.ISO_8859_1), firstLine(text));
    }

    void write(byte[] bytes, String what) throws IOException {
        OutputStream out = socket.getOutputStream();
        double started = log.now();
        if (bytes.length >= 256 * 1024) {
            log.add("write(" + bytes.length + " bytes) called");
        }
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            log.add("write of " + bytes.length + " bytes (started at " + started + " ms) failed: "
                    + StepLog.describe(e));
            throw e;
        }
        double took = log.now() - started;
        log.add("wrote " + bytes.length + " bytes" + (what.isEmpty() ? "" : " (" + what + ")")
                + (took >= 100 ? ", the write blocked " + Math.round(took) + " ms" : ""));
    }

    void close() throws IOException {
        socket.close();
        log.add("close()");
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    static String firstLine(String text) {
        int end = text.indexOf('\n');
        String line = (end < 0 ? text : text.substring(0, end)).trim();
        return line.length() > 60 ? line.substring(0, 60) + "..." : line;
    }
}
