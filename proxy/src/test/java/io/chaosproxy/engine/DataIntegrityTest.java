package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.HashingSink;
import io.chaosproxy.testing.Payload;
import io.chaosproxy.testing.ProxyHarness;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every byte arrives, in order, unchanged: SHA-256 compared at both ends. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataIntegrityTest {
    private static final long MiB = 1024 * 1024;

    private final ProxyHarness harness = new ProxyHarness();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        pool.shutdownNow();
        harness.close();
        for (AutoCloseable c : closeables) {
            c.close();
        }
        pool.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void quarterGigabyteEchoedThroughProxyArrivesIntactBothWays() throws Exception {
        EchoServer echo = track(new EchoServer());
        Proxy proxy = harness.proxy("echo", echo.port());
        assertEchoIntact(proxy, 256 * MiB, 1);
    }

    @Test
    void eightConcurrentConnectionsEachArriveIntact() throws Exception {
        HashingSink sink = track(new HashingSink(16 * MiB));
        Proxy proxy = harness.proxy("sink", sink.port());
        int connections = 8;
        long perConnection = 32 * MiB;
        List<Future<String[]>> results = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            long seed = i;
            results.add(pool.submit(() -> {
                try (Socket s = ProxyHarness.connect(proxy)) {
                    String sent = Payload.write(s.getOutputStream(), perConnection, 64 * 1024, seed);
                    s.shutdownOutput();
                    Payload.Digest reply = Payload.readToEof(s.getInputStream());
                    return new String[] {sent, reply.sha256(), Long.toString(reply.bytes())};
                }
            }));
        }
        List<String> sentHashes = new ArrayList<>();
        List<String> replyHashes = new ArrayList<>();
        for (Future<String[]> f : results) {
            String[] r = f.get(50, TimeUnit.SECONDS);
            sentHashes.add(r[0]);
            replyHashes.add(r[1]);
            assertThat(Long.parseLong(r[2])).isEqualTo(16 * MiB);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> sink.received().size() == connections);
        assertThat(sink.received()).allSatisfy(r -> {
            assertThat(r.error()).isNull();
            assertThat(r.bytes()).isEqualTo(perConnection);
        });
        assertThat(sink.received()).extracting(HashingSink.Received::sha256)
                .containsExactlyInAnyOrderElementsOf(sentHashes);
        assertThat(sink.received()).extracting(HashingSink.Received::replySha256)
                .containsExactlyInAnyOrderElementsOf(replyHashes);
    }

    @Test
    void quarterGigabyteThroughLatencyAndSlicerArrivesIntact() throws Exception {
        EchoServer echo = track(new EchoServer());
        Proxy proxy = harness.proxy("toxic", echo.port());
        harness.toxic("toxic", "latency", "upstream", Map.of("latency", 5));
        harness.toxic("toxic", "slicer", "downstream",
                Map.of("average_size", 16 * 1024, "size_variation", 8 * 1024, "delay", 0));
        harness.toxic("toxic", "latency_down", "latency", "downstream", 1.0, Map.of("latency", 5, "jitter", 3));
        assertEchoIntact(proxy, 256 * MiB, 2);
    }

    /** Writes {@code total} bytes through the echo proxy while reading the echo back concurrently. */
    private void assertEchoIntact(Proxy proxy, long total, long seed) throws Exception {
        try (Socket s = ProxyHarness.connect(proxy)) {
            Future<Payload.Digest> echoed = pool.submit(() -> Payload.readToEof(s.getInputStream()));
            String sent = Payload.write(s.getOutputStream(), total, 64 * 1024, seed);
            s.shutdownOutput();
            Payload.Digest got = echoed.get(50, TimeUnit.SECONDS);
            assertThat(got.bytes()).isEqualTo(total);
            assertThat(got.sha256()).isEqualTo(sent);
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }
}
