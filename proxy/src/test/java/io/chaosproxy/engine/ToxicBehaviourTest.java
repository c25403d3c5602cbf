package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Io;
import io.chaosproxy.testing.Payload;
import io.chaosproxy.testing.ProxyHarness;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each toxic's effect, measured from a client's point of view. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ToxicBehaviourTest {
    private final ProxyHarness harness = new ProxyHarness();
    private final EchoServer echo = new EchoServer();
    private final Proxy proxy = harness.proxy("p", echo.port());

    @AfterEach
    void tearDown() {
        harness.close();
        echo.close();
    }

    @Test
    void latencyAddsItsDelayToEachRoundTrip() throws Exception {
        try (Socket s = ProxyHarness.connect(proxy)) {
            double baseline = Io.medianRoundTripMillis(s, 10);
            harness.toxic("p", "latency", "downstream", Map.of("latency", 200));
            Thread.sleep(20);
            double withLatency = Io.medianRoundTripMillis(s, 5);
            assertThat(withLatency - baseline).isBetween(195.0, 230.0);
        }
    }

    @Test
    void jitterKeepsEachRoundTripWithinLatencyPlusOrMinusJitter() throws Exception {
        harness.toxic("p", "latency", "upstream", Map.of("latency", 100, "jitter", 40));
        try (Socket s = ProxyHarness.connect(proxy)) {
            for (int i = 0; i < 10; i++) {
                double ms = Io.roundTripNanos(s, new byte[] {1}) / 1e6;
                // 100 ± 40 ms; the upper slack absorbs scheduling delay on a loaded 2-core CI machine.
                assertThat(ms).isBetween(58.0, 200.0);
            }
        }
    }

    @Test
    void removingLatencyFromAnOpenConnectionRestoresNormalRoundTrips() throws Exception {
        harness.toxic("p", "latency", "downstream", Map.of("latency", 200));
        try (Socket s = ProxyHarness.connect(proxy)) {
            assertThat(Io.medianRoundTripMillis(s, 3)).isGreaterThan(190);
            harness.registry().removeToxic("p", "latency_downstream");
            Thread.sleep(20);
            assertThat(Io.medianRoundTripMillis(s, 5)).isLessThan(50);
        }
    }

    @Test
    void bandwidthCapsThroughputWithinTenPercent() throws Exception {
        harness.toxic("p", "bandwidth", "downstream", Map.of("rate", 100));
        try (Socket s = ProxyHarness.connect(proxy)) {
            byte[] data = Payload.bytes(200_000, 1);
            long start = System.nanoTime();
            s.getOutputStream().write(data);
            Io.readExactly(s.getInputStream(), data.length);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(data.length / seconds / 1000).isBetween(90.0, 110.0);
        }
    }

    @Test
    void bandwidthZeroStallsAndRemovingItDeliversEverything() throws Exception {
        harness.toxic("p", "bandwidth", "downstream", Map.of("rate", 0));
        try (Socket s = ProxyHarness.connect(proxy)) {
            byte[] data = Payload.bytes(50_000, 2);
            s.getOutputStream().write(data);
            s.setSoTimeout(500);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            harness.registry().removeToxic("p", "bandwidth_downstream");
            s.setSoTimeout(5000);
            assertThat(Io.readExactly(s.getInputStream(), data.length)).isEqualTo(data);
        }
    }

    @Test
    void slowCloseDelaysTheEofByItsDelay() throws Exception {
        harness.toxic("p", "slow_close", "downstream", Map.of("delay", 300));
        try (Socket s = ProxyHarness.connect(proxy)) {
            Io.roundTripNanos(s, new byte[] {1});
            long start = System.nanoTime();
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(290L, 500L);
        }
    }

    @Test
    void timeoutDropsDataAndClosesAfterItsTimeout() throws Exception {
        harness.toxic("p", "timeout", "downstream", Map.of("timeout", 300));
        try (Socket s = ProxyHarness.connect(proxy)) {
            long start = System.nanoTime();
            s.getOutputStream().write("lost".getBytes());
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(280L, 600L);
        }
    }

    @Test
    void timeoutZeroNeverClosesUntilRemoved() throws Exception {
        harness.toxic("p", "timeout", "downstream", Map.of("timeout", 0));
        try (Socket s = ProxyHarness.connect(proxy)) {
            s.getOutputStream().write(1);
            s.setSoTimeout(700);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            harness.registry().removeToxic("p", "timeout_downstream");
            s.setSoTimeout(5000);
            assertThat(Io.roundTripNanos(s, new byte[] {2}) / 1e6).isLessThan(100);
        }
    }

    @Test
    void resetPeerResetsTheClientAfterItsTimeout() throws Exception {
        harness.toxic("p", "reset_peer", "downstream", Map.of("timeout", 300));
        try (Socket s = ProxyHarness.connect(proxy)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(280L, 600L);
        }
    }

    @Test
    void resetPeerAddedToAnOpenConnectionResetsIt() throws Exception {
        try (Socket s = ProxyHarness.connect(proxy)) {
            Io.roundTripNanos(s, new byte[] {1});
            harness.toxic("p", "reset_peer", "downstream", Map.of("timeout", 0));
            assertThatThrownBy(() -> s.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
        }
    }

    @Test
    void toxicityZeroMeansTheToxicNeverActs() throws Exception {
        harness.toxic("p", "never", "reset_peer", "downstream", 0.0, Map.of("timeout", 0));
        harness.toxic("p", "nolatency", "latency", "downstream", 0.0, Map.of("latency", 500));
        for (int i = 0; i < 5; i++) {
            try (Socket s = ProxyHarness.connect(proxy)) {
                Thread.sleep(30);
                assertThat(Io.roundTripNanos(s, new byte[] {1}) / 1e6).isLessThan(100);
            }
        }
    }

    @Test
    void slicerDeliversManySmallReadsWithBytesIntact() throws Exception {
        harness.toxic("p", "slicer", "downstream", Map.of("average_size", 10, "size_variation", 5, "delay", 1000));
        try (Socket s = ProxyHarness.connect(proxy)) {
            byte[] data = Payload.bytes(2000, 3);
            s.getOutputStream().write(data);
            InputStream in = s.getInputStream();
            byte[] got = new byte[data.length];
            int off = 0;
            int reads = 0;
            while (off < got.length) {
                int n = in.read(got, off, got.length - off);
                assertThat(n).isPositive();
                off += n;
                reads++;
            }
            assertThat(got).isEqualTo(data);
            assertThat(reads).isGreaterThan(20);
        }
    }

    @Test
    void limitDataCutsAtExactlyItsBytesThenEof() throws Exception {
        harness.toxic("p", "limit_data", "downstream", Map.of("bytes", 1000));
        try (Socket s = ProxyHarness.connect(proxy)) {
            byte[] data = Payload.bytes(3000, 4);
            s.getOutputStream().write(data);
            byte[] got = Io.readToEof(s.getInputStream(), 5000);
            assertThat(got).hasSize(1000).isEqualTo(java.util.Arrays.copyOf(data, 1000));
        }
    }

    @Test
    void noopPassesBytesUnchanged() throws Exception {
        harness.toxic("p", "noop", "upstream", Map.of());
        harness.toxic("p", "noop_down", "noop", "downstream", 1.0, Map.of());
        try (Socket s = ProxyHarness.connect(proxy)) {
            byte[] data = Payload.bytes(100_000, 5);
            s.getOutputStream().write(data);
            s.shutdownOutput();
            assertThat(Io.readToEof(s.getInputStream(), 200_000)).isEqualTo(data);
        }
    }
}
