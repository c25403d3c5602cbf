package io.chaosproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic pseudo-random test data, and SHA-256 over streams. */
public final class Payload {
    private Payload() {
    }

    /** {@code size} pseudo-random bytes from {@code seed}. */
    public static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        fill(new SplittableRandom(seed), b, size);
        return b;
    }

    /** Writes {@code total} pseudo-random bytes in {@code chunk}-sized writes; returns their SHA-256 (hex). */
    public static String write(OutputStream out, long total, int chunk, long seed) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] buf = new byte[chunk];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(chunk, left);
            fill(random, buf, n);
            digest.update(buf, 0, n);
            out.write(buf, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Reads until EOF; returns the SHA-256 (hex) and the byte count. */
    public static Digest readToEof(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] buf = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            digest.update(buf, 0, n);
            count += n;
        }
        return new Digest(HexFormat.of().formatHex(digest.digest()), count);
    }

    public static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void fill(SplittableRandom random, byte[] b, int n) {
        int i = 0;
        while (i + 8 <= n) {
            long v = random.nextLong();
            for (int k = 0; k < 8; k++) {
                b[i++] = (byte) (v >>> (k * 8));
            }
        }
        while (i < n) {
            b[i++] = (byte) random.nextInt();
        }
    }

    /** A stream's SHA-256 (hex) and length. */
    public record Digest(String sha256, long bytes) {
    }
}
