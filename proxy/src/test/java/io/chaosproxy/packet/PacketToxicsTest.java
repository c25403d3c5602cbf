package io.chaosproxy.packet;

import io.chaosproxy.model.SegmentRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.model.EventType;
import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Io;
import io.chaosproxy.testing.ProxyHarness;
import io.micrometer.core.instrument.Timer;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each packet toxic, observed by a real client through a real proxy, in a network namespace of its own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketToxicsTest {
    private PacketTestSupport support;
    private EchoServer echo;
    private Proxy proxy;

    @BeforeEach
    void setUp() {
        PacketTestSupport.assumePrivateNetworkNamespace();
        open(EngineConfig.defaults());
    }

    private void open(EngineConfig config) {
        if (support != null) {
            support.close();
            echo.close();
        }
        support = new PacketTestSupport(config);
        echo = new EchoServer();
        proxy = support.proxy("p", echo.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (support != null) {
            support.close();
            echo.close();
            assertThat(PacketTestSupport.rules()).doesNotContain("chaos-proxy:");
        }
    }

    private static long connectMillis(Proxy proxy, int timeoutMillis) throws Exception {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ProxyHarness.port(proxy)), timeoutMillis);
            long ms = (System.nanoTime() - start) / 1_000_000;
            s.setSoTimeout(5000);
            assertThat(Io.roundTripNanos(s, new byte[] {42})).isPositive();
            return ms;
        }
    }

    @Test
    void eachConnectionsTimelineHasItsOwnSegments() throws Exception {
        support.toxic(proxy, "syn_drop", "upstream", Map.of("count", 1));
        // A server-leg toxic too, so the server leg's handshake is queued (and logged) as well.
        support.toxic(proxy, "upstream_synack_delay", "upstream", Map.of("delay", 1));
        try (java.net.Socket first = new java.net.Socket("127.0.0.1", io.chaosproxy.testing.ProxyHarness.port(proxy));
                java.net.Socket second = new java.net.Socket("127.0.0.1",
                        io.chaosproxy.testing.ProxyHarness.port(proxy))) {
            for (java.net.Socket s : List.of(first, second)) {
                s.setSoTimeout(5000);
                s.getOutputStream().write('x');
                assertThat(s.getInputStream().read()).isEqualTo('x');
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> proxy.connectionSummaries().size() == 2);
            for (io.chaosproxy.timeline.ConnectionSummary c : proxy.connectionSummaries()) {
                List<SegmentRecord> mine = support.packetEngine().segments("p", c.clientPort(), c.serverLocalPort());
                mine.forEach(r -> System.out.println("connection " + c.id() + ": " + r));
                // This connection's dropped SYN and the one that got through, its SYN-ACK, and its server leg.
                assertThat(mine).filteredOn(r -> r.leg().equals("client") && r.flags().equals("S")).hasSize(2);
                assertThat(mine).filteredOn(r -> r.leg().equals("client") && r.flags().equals("S."))
                        .hasSize(1);
                assertThat(mine).anyMatch(r -> r.leg().equals("server") && r.flags().equals("S"));
            }
        }
    }

    @Test
    void synDropTwiceConnectsAfterTheKernelsTwoRetransmissions() throws Exception {
        support.toxic(proxy, "syn_drop", "upstream", Map.of("count", 2));
        long ms = connectMillis(proxy, 10_000);
        System.out.println("syn_drop count 2: connect took " + ms + " ms");
        // Two linear 1 s timeouts (tcp_syn_linear_timeouts), or 1 s + 2 s with classic backoff.
        assertThat(ms).isBetween(1900L, 3300L);
        assertThat(support.counter(PacketMetrics.SYN_RETRANSMISSIONS, "proxy", "p", "leg", "client")).isEqualTo(2);
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "syn",
                "verdict", "drop")).isEqualTo(2);
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "syn",
                "verdict", "accept")).isEqualTo(1);
        Timer gap = support.meters.find(PacketMetrics.SYN_RETRANSMIT_GAP).tags("proxy", "p").timer();
        assertThat(gap.count()).isEqualTo(2);
        System.out.println("SYN retransmit gap: mean " + gap.mean(TimeUnit.MILLISECONDS) + " ms");
        Timer handshake = support.meters.find(PacketMetrics.HANDSHAKE).tags("proxy", "p", "leg", "client").timer();
        assertThat(handshake.totalTime(TimeUnit.MILLISECONDS)).isBetween(1900.0, 3300.0);

        List<SegmentRecord> log = support.packetEngine().segments("p");
        log.forEach(System.out::println);
        assertThat(log).filteredOn(r -> r.flags().equals("S") && r.verdict().equals("drop")).hasSize(2);
        assertThat(log).filteredOn(r -> r.flags().equals("S")).allSatisfy(r -> {
            assertThat(r.options()).contains("mss").contains("sackOK").contains("wscale");
            assertThat(r.seq()).isZero();
        });
        assertThat(log).anySatisfy(r -> assertThat(r.flags()).isEqualTo("S."));

        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        SegmentLog.writePcap(log, pcap); // the same snapshot: the live log may have grown since (teardown)
        ByteArrayOutputStream live = new ByteArrayOutputStream();
        support.packetEngine().writePcap("p", live);
        assertThat(live.size()).isGreaterThanOrEqualTo(pcap.size());
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(pcap.toByteArray()));
        assertThat(in.readInt()).isEqualTo(0xa1b2c3d4);
        in.skipBytes(16);
        assertThat(in.readInt()).isEqualTo(101);
        int records = 0;
        while (in.available() > 0) {
            in.skipBytes(8);
            int len = in.readInt();
            in.readInt();
            byte[] packet = new byte[len];
            in.readFully(packet);
            assertThat(packet[0] >> 4).isEqualTo(4);
            records++;
        }
        assertThat(records).isEqualTo(log.size());
    }

    @Test
    void synDropAllLetsTheClientsConnectTimeoutFire() {
        support.toxic(proxy, "syn_drop", "upstream", Map.of("count", 0));
        long start = System.nanoTime();
        assertThatThrownBy(() -> connectMillis(proxy, 1500)).isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("Connect timed out");
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("syn_drop count 0: connect timed out after " + ms + " ms");
        assertThat(ms).isBetween(1450L, 1800L);
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void synAckDelayAddsItsDelayToConnect() throws Exception {
        long baseline = connectMillis(proxy, 5000);
        support.toxic(proxy, "synack_delay", "upstream", Map.of("delay", 500));
        long ms = connectMillis(proxy, 5000);
        System.out.println("synack_delay 500: connect took " + ms + " ms (baseline " + baseline + " ms)");
        assertThat(ms).isBetween(450L, 550L);
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "synack",
                "verdict", "delay")).isEqualTo(1);
    }

    @Test
    void synAckDropOnceConnectsAfterASecond() throws Exception {
        support.toxic(proxy, "synack_drop", "upstream", Map.of("count", 1));
        long ms = connectMillis(proxy, 5000);
        System.out.println("synack_drop count 1: connect took " + ms + " ms");
        assertThat(ms).isBetween(900L, 1300L);
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "synack",
                "verdict", "drop")).isEqualTo(1);
    }

    @Test
    void ackDropLetsTheClientConnectAtOnceWhileTheProxyAcceptsASecondLater() throws Exception {
        AtomicLong acceptedAt = new AtomicLong();
        support.engine.events().subscribe(e -> {
            if (e.type() == EventType.ACCEPTED) {
                acceptedAt.compareAndSet(0, System.nanoTime());
            }
        });
        support.toxic(proxy, "ack_drop", "upstream", Map.of("count", 1));
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ProxyHarness.port(proxy)), 5000);
            long connectMs = (System.nanoTime() - start) / 1_000_000;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (acceptedAt.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long acceptMs = (acceptedAt.get() - start) / 1_000_000;
            System.out.println("ack_drop count 1: client connected after " + connectMs + " ms, proxy accepted after "
                    + acceptMs + " ms");
            assertThat(connectMs).isLessThan(100);
            assertThat(acceptMs).isBetween(900L, 1500L);
            s.setSoTimeout(5000);
            assertThat(Io.roundTripNanos(s, new byte[] {7})).isPositive();
        }
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "ack",
                "verdict", "drop")).isEqualTo(1);
    }

    @Test
    void ackDelayMakesTheProxyAcceptLate() throws Exception {
        AtomicLong acceptedAt = new AtomicLong();
        support.engine.events().subscribe(e -> {
            if (e.type() == EventType.ACCEPTED) {
                acceptedAt.compareAndSet(0, System.nanoTime());
            }
        });
        support.toxic(proxy, "ack_delay", "upstream", Map.of("delay", 300));
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", ProxyHarness.port(proxy)), 5000);
            long connectMs = (System.nanoTime() - start) / 1_000_000;
            while (acceptedAt.get() == 0 && System.nanoTime() - start < 5_000_000_000L) {
                Thread.sleep(5);
            }
            long acceptMs = (acceptedAt.get() - start) / 1_000_000;
            System.out.println("ack_delay 300: client connected after " + connectMs + " ms, proxy accepted after "
                    + acceptMs + " ms");
            assertThat(connectMs).isLessThan(100);
            assertThat(acceptMs).isBetween(280L, 450L);
        }
    }

    @Test
    void refuseAnswersTheSynWithAReset() {
        support.toxic(proxy, "refuse", "upstream", Map.of());
        long start = System.nanoTime();
        assertThatThrownBy(() -> connectMillis(proxy, 5000)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("Connection refused");
        System.out.println("refuse: refused after " + (System.nanoTime() - start) / 1_000_000 + " ms");
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "syn",
                "verdict", "reject")).isEqualTo(1);
    }

    @Test
    void finDropPacketDelaysTheClientsEofByARetransmission() throws Exception {
        long baseline = halfCloseRoundTripMillis();
        support.toxic(proxy, "fin_drop_packet", "upstream", Map.of("count", 1));
        long ms = halfCloseRoundTripMillis();
        System.out.println("fin_drop_packet count 1: half-close answered after " + ms + " ms (baseline " + baseline
                + " ms)");
        assertThat(ms).isGreaterThanOrEqualTo(190);
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "client", "flags", "fin",
                "verdict", "drop")).isEqualTo(1);
    }

    private long halfCloseRoundTripMillis() throws Exception {
        try (Socket s = ProxyHarness.connect(proxy)) {
            Io.roundTripNanos(s, new byte[] {1});
            long start = System.nanoTime();
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    @Test
    void upstreamSynDropAllTimesOutTheDialAndResetsTheClient() throws Exception {
        open(EngineConfig.defaults().withConnectTimeoutMillis(1000));
        support.toxic(proxy, "upstream_syn_drop", "upstream", Map.of("count", 0));
        long start = System.nanoTime();
        try (Socket s = ProxyHarness.connect(proxy)) {
            s.getOutputStream().write(1);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("upstream_syn_drop count 0: client reset after " + ms + " ms");
        assertThat(ms).isBetween(950L, 1600L);
        assertThat(echo.accepted()).isZero();
        assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "p", "leg", "server", "flags", "syn",
                "verdict", "drop")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void upstreamSynAckDelaySlowsTheFirstRoundTrip() throws Exception {
        double baseline;
        try (Socket s = ProxyHarness.connect(proxy)) {
            baseline = Io.roundTripNanos(s, new byte[] {1}) / 1e6; // also warms up the JVM and the proxy
        }
        try (Socket s = ProxyHarness.connect(proxy)) {
            baseline = Io.roundTripNanos(s, new byte[] {1}) / 1e6;
        }
        support.toxic(proxy, "upstream_synack_delay", "upstream", Map.of("delay", 300));
        try (Socket s = ProxyHarness.connect(proxy)) {
            double ms = Io.roundTripNanos(s, new byte[] {1}) / 1e6;
            System.out.println("upstream_synack_delay 300: first round trip " + ms + " ms (baseline " + baseline
                    + " ms)");
            assertThat(ms).isBetween(280.0, 450.0);
            assertThat(Io.roundTripNanos(s, new byte[] {2}) / 1e6).isLessThan(50);
        }
    }

    @Test
    void removingTheToxicRemovesItsRulesAndCloseLeavesNone() throws Exception {
        support.toxic(proxy, "syn_drop", "upstream", Map.of("count", 0));
        String rules = PacketTestSupport.rules();
        System.out.println(rules);
        assertThat(rules).contains("chaos-proxy:" + ProcessHandle.current().pid() + ":p").contains("NFQUEUE").contains("--queue-bypass");
        support.remove(proxy, "syn_drop_upstream");
        assertThat(PacketTestSupport.rules()).doesNotContain("chaos-proxy:").doesNotContain("CHAOS-");
        assertThat(connectMillis(proxy, 1000)).isLessThan(100);

        support.toxic(proxy, "synack_delay", "upstream", Map.of("delay", 100));
        assertThat(PacketTestSupport.rules()).contains("chaos-proxy:" + ProcessHandle.current().pid() + ":p");
        support.faults.close();
        assertThat(PacketTestSupport.rules()).doesNotContain("chaos-proxy:").doesNotContain("CHAOS-");
        assertThat(connectMillis(proxy, 1000)).isLessThan(100);
    }

    @Test
    void ipv6ClientsAreServedByIp6tables() throws Exception {
        Proxy v6 = support.registry.create(new io.chaosproxy.engine.ProxySpec("v6",
                io.chaosproxy.model.HostPort.parse("listen", "[::1]:0", true),
                io.chaosproxy.model.HostPort.parse("upstream", "127.0.0.1:" + echo.port(), false), true));
        support.toxic(v6, "syn_drop", "upstream", Map.of("count", 1));
        assertThat(PacketTestSupport.run("ip6tables", "-S")).contains("chaos-proxy:" + ProcessHandle.current().pid() + ":v6");
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("::1", v6.boundAddress().getPort()), 5000);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("IPv6 syn_drop count 1: connect took " + ms + " ms");
            assertThat(ms).isBetween(900L, 1300L);
            s.setSoTimeout(5000);
            assertThat(Io.roundTripNanos(s, new byte[] {3})).isPositive();
        }
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        support.packetEngine().writePcap("v6", pcap);
        assertThat(pcap.toByteArray()[24 + 16] >> 4).isEqualTo(6); // after the file and record headers: IPv6
    }

    @Test
    void aSecondProxyIsUnaffected() throws Exception {
        EchoServer other = new EchoServer();
        try {
            Proxy second = support.proxy("second", other.port());
            support.toxic(proxy, "syn_drop", "upstream", Map.of("count", 0));
            assertThat(connectMillis(second, 1000)).isLessThan(100);
            assertThatThrownBy(() -> connectMillis(proxy, 500)).isInstanceOf(SocketTimeoutException.class);
            assertThat(support.counter(PacketMetrics.SEGMENTS, "proxy", "second", "leg", "client", "flags", "syn",
                    "verdict", "accept")).isZero();
        } finally {
            other.close();
        }
    }
}
