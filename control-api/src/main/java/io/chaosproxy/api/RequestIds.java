package io.chaosproxy.api;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ids for {@code X-Toxiproxy-Request-Id}, in the shape Toxiproxy 2.12 sends (an xid: 20 characters of base32hex,
 * sortable by time): 4 bytes of seconds, 5 random bytes chosen once per process, a 3-byte counter. Unique within
 * a process and practically across processes; cheap enough for every answer.
 */
final class RequestIds {
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();
    private final byte[] process = new byte[5];
    private final AtomicInteger counter;

    RequestIds() {
        SecureRandom random = new SecureRandom();
        random.nextBytes(process);
        counter = new AtomicInteger(random.nextInt());
    }

    String next() {
        long seconds = System.currentTimeMillis() / 1000;
        int n = counter.getAndIncrement();
        byte[] id = {(byte) (seconds >>> 24), (byte) (seconds >>> 16), (byte) (seconds >>> 8), (byte) seconds,
            process[0], process[1], process[2], process[3], process[4],
            (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        return base32hex(id);
    }

    /** 12 bytes, 96 bits, to 20 characters of 5 bits (the last one carries the remaining bit, padded with 0s). */
    private static String base32hex(byte[] bytes) {
        StringBuilder out = new StringBuilder(20);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }
}
