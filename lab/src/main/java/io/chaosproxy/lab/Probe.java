package io.chaosproxy.lab;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One request on a new connection, with a connect timeout and a read timeout (per read, as sockets do), classified
 * into an {@link Outcome}. Plain sockets, so that every failure is seen as the kernel reports it.
 */
public final class Probe {
    /** What happened: the outcome, the whole time taken, the connect time (-1 if never connected) and a detail. */
    public record Result(Outcome outcome, long totalNanos, long connectNanos, String detail) {
    }

    private final int connectTimeoutMs;
    private final int readTimeoutMs;

    public Probe(int connectTimeoutMs, int readTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        this.readTimeoutMs = readTimeoutMs;
    }

    /** {@code GET /?size=..&think=..} on a new connection; OK only for a 200 with the whole Content-Length. */
    public Result http(String host, int port, int size, int thinkMs) {
        String request = "GET /?size=" + size + "&think=" + thinkMs + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + "User-Agent: chaos-proxy-lab\r\nConnection: close\r\n\r\n";
        return run(host, port, socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String status = line(in);
            if (status == null) {
                throw new EOFException("EOF before the status line");
            }
            if (!status.startsWith("HTTP/1.1 200") && !status.startsWith("HTTP/1.0 200")) {
                return "status: " + status;
            }
            long length = -1;
            for (String h = line(in); ; h = line(in)) {
                if (h == null) {
                    throw new EOFException("EOF in the headers");
                }
                if (h.isEmpty()) {
                    break;
                }
                if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(h.substring("content-length:".length()).trim());
                }
            }
            if (length < 0) {
                return "no Content-Length";
            }
            byte[] buf = new byte[8192];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("EOF after " + (length - left) + " of " + length + " body bytes");
                }
                left -= n;
            }
            return null;
        });
    }

    /** Sends {@code size} random bytes, half-closes, and expects exactly the same bytes back, then EOF. */
    public Result echo(String host, int port, int size) {
        byte[] payload = new byte[size];
        ThreadLocalRandom.current().nextBytes(payload);
        return run(host, port, socket -> {
            OutputStream out = socket.getOutputStream();
            out.write(payload);
            out.flush();
            socket.shutdownOutput();
            ByteArrayOutputStream back = new ByteArrayOutputStream(size);
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[8192];
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                back.write(buf, 0, n);
            }
            byte[] got = back.toByteArray();
            if (got.length < size) {
                throw new EOFException("EOF after " + got.length + " of " + size + " echoed bytes");
            }
            if (!Arrays.equals(got, payload)) {
                return got.length == size ? "corrupt" : got.length + " bytes back for " + size;
            }
            return null;
        });
    }

    /** The exchange: returns null when all is well, or a detail that makes the outcome an ERROR (or CORRUPT). */
    private interface Exchange {
        String run(Socket socket) throws IOException;
    }

    private Result run(String host, int port, Exchange exchange) {
        long start = System.nanoTime();
        long connectNanos = -1;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(readTimeoutMs);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            connectNanos = System.nanoTime() - start;
            String problem = exchange.run(socket);
            long total = System.nanoTime() - start;
            if (problem == null) {
                return new Result(Outcome.OK, total, connectNanos, "");
            }
            return new Result(problem.equals("corrupt") ? Outcome.CORRUPT : Outcome.ERROR, total, connectNanos,
                    problem);
        } catch (IOException | RuntimeException e) {
            long total = System.nanoTime() - start;
            Outcome outcome = e instanceof IOException io ? Outcome.of(io, connectNanos >= 0) : Outcome.ERROR;
            return new Result(outcome, total, connectNanos, e.toString());
        }
    }

    /** A CRLF- (or LF-) terminated line, without the terminator; null at EOF before any byte of it. */
    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); ; c = in.read()) {
            if (c < 0) {
                if (sb.length() == 0) {
                    return null;
                }
                throw new EOFException("EOF in the middle of a line");
            }
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            if (sb.length() > 8192) {
                throw new IOException("line longer than 8 KiB");
            }
            sb.append((char) c);
        }
    }
}
