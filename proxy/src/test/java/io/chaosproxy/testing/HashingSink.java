package io.chaosproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Reads every connection to EOF, recording the SHA-256 and byte count of what arrived. Optionally replies with
 * pseudo-random bytes after the EOF (and records their hash too), and optionally reads slowly: after every
 * {@code burstBytes} it sleeps {@code pause}, which makes it the slow reader for backpressure tests.
 */
public class HashingSink extends BlockingServer {
    private final long replyBytes;
    private final int readBufferBytes;
    private final long burstBytes;
    private final Duration pause;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    /** What one connection delivered: hash and count of bytes read, hash of the reply sent, or the error. */
    public record Received(String sha256, long bytes, String replySha256, String error) {
    }

    public HashingSink() {
        this(0);
    }

    public HashingSink(long replyBytes) {
        this(replyBytes, 64 * 1024, 0, Duration.ZERO);
    }

    protected HashingSink(long replyBytes, int readBufferBytes, long burstBytes, Duration pause) {
        super("sink");
        this.replyBytes = replyBytes;
        this.readBufferBytes = readBufferBytes;
        this.burstBytes = burstBytes;
        this.pause = pause;
    }

    /** Connections finished so far, in order of finishing. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    protected void handle(Socket socket) throws IOException {
        MessageDigest digest = Payload.sha256();
        InputStream in = socket.getInputStream();
        byte[] buf = new byte[readBufferBytes];
        long count = 0;
        long sinceBurst = 0;
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                digest.update(buf, 0, n);
                count += n;
                sinceBurst += n;
                if (burstBytes > 0 && sinceBurst >= burstBytes) {
                    sinceBurst = 0;
                    sleep(pause);
                }
            }
        } catch (IOException e) {
            received.add(new Received(null, count, null, String.valueOf(e.getMessage())));
            return;
        }
        String sha = HexFormat.of().formatHex(digest.digest());
        String replySha = null;
        if (replyBytes > 0) {
            replySha = Payload.write(socket.getOutputStream(), replyBytes, 64 * 1024, count);
        }
        socket.shutdownOutput();
        received.add(new Received(sha, count, replySha, null));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
