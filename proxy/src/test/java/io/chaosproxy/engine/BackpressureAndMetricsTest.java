package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.metrics.ProxyMetrics;
import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Io;
import io.chaosproxy.testing.Payload;
import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.testing.SlowReader;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow receiver slows the sender instead of filling the proxy's memory; metrics count what happened. */
class BackpressureAndMetricsTest {
    private final ProxyHarness harness = new ProxyHarness();

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGigabyteToASlowReaderKeepsProxyMemoryBounded() throws Exception {
        long total = 1024L * 1024 * 1024;
        try (SlowReader slow = new SlowReader(256 * 1024, Duration.ofMillis(1))) {
            Proxy proxy = harness.proxy("slow", slow.port());
            ByteBufAllocatorMetricProvider metric = (ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT;
            AtomicLong peak = new AtomicLong();
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> peak.accumulateAndGet(metric.metric().usedDirectMemory(), Math::max),
                    0, 50, TimeUnit.MILLISECONDS);
            String sent;
            try (Socket s = ProxyHarness.connect(proxy)) {
                sent = Payload.write(s.getOutputStream(), total, 256 * 1024, 7);
                s.shutdownOutput();
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> slow.received().size() == 1);
            } finally {
                sampler.shutdownNow();
            }
            assertThat(slow.received().get(0).bytes()).isEqualTo(total);
            assertThat(slow.received().get(0).sha256()).isEqualTo(sent);
            assertThat(peak.get()).isLessThan(64L * 1024 * 1024);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void metricsCountConnectionsCloseReasonsAndBytes() throws Exception {
        try (EchoServer echo = new EchoServer()) {
            Proxy proxy = harness.proxy("m", echo.port());
            for (int i = 0; i < 3; i++) {
                try (Socket s = ProxyHarness.connect(proxy)) {
                    s.getOutputStream().write(new byte[1000]);
                    s.shutdownOutput();
                    assertThat(Io.readToEof(s.getInputStream(), 2000)).hasSize(1000);
                }
            }
            int refusedPort;
            try (ServerSocket ss = new ServerSocket(0)) {
                refusedPort = ss.getLocalPort();
            }
            Proxy refused = harness.proxy("r", refusedPort);
            try (Socket s = ProxyHarness.connect(refused)) {
                s.getInputStream().read();
            } catch (java.io.IOException | java.io.UncheckedIOException expected) {
                // the reset is what this proxy does; it may arrive while connecting or reading
            }
            var meters = harness.meters();
            Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(meters.get(ProxyMetrics.ACCEPTED).tag("proxy", "m").counter().count()).isEqualTo(3);
                assertThat(meters.get(ProxyMetrics.CLOSED).tag("proxy", "m").tag("reason", "client_fin")
                        .counter().count()).isEqualTo(3);
                assertThat(meters.get(ProxyMetrics.CLOSED).tag("proxy", "r").tag("reason", "upstream_refused")
                        .counter().count()).isEqualTo(1);
                assertThat(meters.get(ProxyMetrics.BYTES).tag("proxy", "m").tag("direction", "upstream")
                        .counter().count()).isEqualTo(3000);
                assertThat(meters.get(ProxyMetrics.BYTES).tag("proxy", "m").tag("direction", "downstream")
                        .counter().count()).isEqualTo(3000);
            });
        }
    }
}
