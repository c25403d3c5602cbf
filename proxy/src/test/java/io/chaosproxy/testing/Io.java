package io.chaosproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/** Small blocking-socket helpers for tests; every read is bounded by the socket's read timeout. */
public final class Io {
    private Io() {
    }

    /** Reads exactly {@code n} bytes or throws EOFException. */
    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        int off = 0;
        while (off < n) {
            int r = in.read(b, off, n - off);
            if (r < 0) {
                throw new EOFException("EOF after " + off + " of " + n + " bytes");
            }
            off += r;
        }
        return b;
    }

    /** Reads until EOF; throws if more than {@code max} bytes arrive. */
    public static byte[] readToEof(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int r;
        while ((r = in.read(buf)) >= 0) {
            out.write(buf, 0, r);
            if (out.size() > max) {
                throw new IOException("more than " + max + " bytes before EOF");
            }
        }
        return out.toByteArray();
    }

    /** Sends {@code data} and reads the same number of bytes back; returns the round trip in nanoseconds. */
    public static long roundTripNanos(Socket s, byte[] data) throws IOException {
        long start = System.nanoTime();
        s.getOutputStream().write(data);
        s.getOutputStream().flush();
        readExactly(s.getInputStream(), data.length);
        return System.nanoTime() - start;
    }

    /** Median echo round trip over {@code rounds} small messages, in milliseconds. */
    public static double medianRoundTripMillis(Socket s, int rounds) throws IOException {
        long[] t = new long[rounds];
        byte[] msg = "ping".getBytes();
        for (int i = 0; i < rounds; i++) {
            t[i] = roundTripNanos(s, msg);
        }
        java.util.Arrays.sort(t);
        return t[rounds / 2] / 1e6;
    }

    public static void closeQuietly(AutoCloseable c) {
        BlockingServer.closeQuietly(c);
    }
}
