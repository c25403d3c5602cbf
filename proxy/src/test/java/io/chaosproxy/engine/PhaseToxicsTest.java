package io.chaosproxy.engine;

import io.chaosproxy.model.HostPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.ProxyHarness;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The phase-specific stream toxics, each as a real client and server on loopback observe it. */
class PhaseToxicsTest {
    private ProxyHarness harness;
    private EchoServer echo;

    @BeforeEach
    void start() {
        harness = new ProxyHarness();
        echo = new EchoServer();
    }

    @AfterEach
    void stop() {
        harness.close();
        echo.close();
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void roundTrip(Socket s) throws IOException {
        s.getOutputStream().write('x');
        assertThat(s.getInputStream().read()).isEqualTo('x');
    }

    // ---- connect phase ----

    @Test
    void acceptDelayHoldsTheClientSilentBeforeTheDial() throws IOException {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "accept_delay", "upstream", Map.of("delay", 400));
        long start = System.nanoTime();
        try (Socket s = ProxyHarness.connect(p)) {
            assertThat(millisSince(start)).as("the kernel completed the handshake at once").isLessThan(200);
            s.getOutputStream().write('x');
            assertThat(echo.accepted()).as("not dialled yet").isZero();
            assertThat(s.getInputStream().read()).isEqualTo('x');
            assertThat(millisSince(start)).isBetween(390L, 1500L);
        }
    }

    @Test
    void upstreamRefuseResetsTheClientWithoutDialing() {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "upstream_refuse", "upstream", Map.of());
        // The reset can come while connect() returns (ProxyHarness wraps it) or at the first read or write.
        assertThatThrownBy(() -> {
            try (Socket s = ProxyHarness.connect(p)) {
                s.getOutputStream().write('x');
                s.getInputStream().read();
            }
        }).satisfies(thrown -> assertThat(ProxyHarness.clientFailure(thrown))
                .isInstanceOf(SocketException.class).hasMessageContaining("reset"));
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void upstreamBlackholeKeepsTheClientSilentThenResets() throws IOException {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "upstream_blackhole", "upstream", Map.of("timeout", 500, "then", "rst"));
        long start = System.nanoTime();
        try (Socket s = ProxyHarness.connect(p)) {
            s.getOutputStream().write('x');
            assertThatThrownBy(() -> s.getInputStream().read()).hasMessageContaining("reset");
            assertThat(millisSince(start)).isBetween(480L, 2000L);
        }
        assertThat(echo.accepted()).isZero();
    }

    @Test
    void upstreamBlackholeWithFinGivesEofAfterTheTimeout() throws IOException {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "upstream_blackhole", "upstream", Map.of("timeout", 300, "then", "fin"));
        long start = System.nanoTime();
        try (Socket s = ProxyHarness.connect(p)) {
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(millisSince(start)).isBetween(280L, 2000L);
        }
    }

    @Test
    void upstreamBlackholeWithHoldNeverAnswers() throws IOException {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "upstream_blackhole", "upstream", Map.of("timeout", 0, "then", "hold"));
        try (Socket s = ProxyHarness.connect(ProxyHarness.port(p), 700)) {
            s.getOutputStream().write('x');
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
        }
    }

    // ---- established phase ----

    @Test
    void resetPeerAfterBytesDeliversExactlyThoseBytesThenResets() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "reset_peer", "downstream", Map.of("after_bytes", 1024));
            try (Socket client = ProxyHarness.connect(p); Socket accepted = server.accept()) {
                accepted.getOutputStream().write(new byte[4096]);
                InputStream in = client.getInputStream();
                byte[] buf = new byte[8192];
                long got = 0;
                IOException error = null;
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        got += n;
                    }
                } catch (IOException e) {
                    error = e;
                }
                assertThat(got).isEqualTo(1024);
                assertThat(error).as("a reset, not an EOF").isNotNull();
                assertThat(error.getMessage()).contains("reset");
            }
        }
    }

    @Test
    void stallBlocksTheSenderThenDeliversEveryByte() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "stall", "upstream", Map.of("duration", 1500));
            byte[] payload = new byte[16 * 1024 * 1024];
            new Random(7).nextBytes(payload);
            AtomicLong written = new AtomicLong();
            try (Socket client = ProxyHarness.connect(p); Socket accepted = server.accept()) {
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        OutputStream out = client.getOutputStream();
                        for (int off = 0; off < payload.length; off += 65536) {
                            out.write(payload, off, 65536);
                            written.addAndGet(65536);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                Thread.sleep(600);
                long plateau = written.get();
                Thread.sleep(400);
                assertThat(written.get()).as("the sender's writes are blocked").isEqualTo(plateau)
                        .isLessThan(payload.length);
                assertThat(accepted.getInputStream().available()).as("nothing reached the server").isZero();
                accepted.setSoTimeout(10_000);
                byte[] received = accepted.getInputStream().readNBytes(payload.length);
                writer.get(10, TimeUnit.SECONDS);
                assertThat(Arrays.equals(received, payload)).as("every byte intact, in order").isTrue();
            }
        }
    }

    @Test
    void corruptEveryNthByteFlipsExactlyThoseBytes() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "corrupt", "upstream", Map.of("every_n", 100));
            byte[] payload = new byte[100_000];
            try (Socket client = ProxyHarness.connect(p); Socket accepted = server.accept()) {
                client.getOutputStream().write(payload);
                accepted.setSoTimeout(5000);
                byte[] got = accepted.getInputStream().readNBytes(payload.length);
                int damaged = 0;
                for (int i = 0; i < got.length; i++) {
                    if (got[i] != 0) {
                        damaged++;
                        assertThat(i % 100).isEqualTo(99);
                        assertThat(Integer.bitCount(got[i] & 0xFF)).as("one bit flipped").isEqualTo(1);
                    }
                }
                assertThat(damaged).isEqualTo(1000);
            }
        }
    }

    @Test
    void packetLossAtFullRateLetsNothingThroughAndRemovalRestoresFlow() throws IOException {
        Proxy p = harness.proxy("p", echo.port());
        harness.toxic("p", "packet_loss", "upstream", Map.of("loss_rate", 1.0));
        try (Socket s = ProxyHarness.connect(ProxyHarness.port(p), 500)) {
            s.getOutputStream().write('x');
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            harness.registry().removeToxic("p", "packet_loss_upstream");
            s.setSoTimeout(5000);
            roundTrip(s);
        }
    }

    // ---- teardown phase ----

    @Test
    void finDropLeavesClientWithoutEofUntilThenRst() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "fin_drop", "downstream", Map.of("then_ms", 1000, "then", "rst"));
            try (Socket client = ProxyHarness.connect(ProxyHarness.port(p), 5000)) {
                Socket accepted = server.accept();
                accepted.getOutputStream().write("bye".getBytes());
                accepted.close();
                long closedAt = System.nanoTime();
                byte[] got = client.getInputStream().readNBytes(3);
                assertThat(new String(got)).isEqualTo("bye");
                assertThatThrownBy(() -> client.getInputStream().read()).hasMessageContaining("reset");
                assertThat(millisSince(closedAt)).as("no EOF: the read blocked until the RST").isBetween(900L, 3000L);
            }
            assertThat(p.connectionSummaries()).singleElement().satisfies(c -> {
                assertThat(c.events()).anyMatch(e -> e.type() == io.chaosproxy.model.EventType.FIN
                        && e.leg() == io.chaosproxy.model.Leg.SERVER);
                assertThat(c.events()).anyMatch(e -> e.type() == io.chaosproxy.model.EventType.TOXIC_ACTION
                        && e.detail().contains("swallowed FIN"));
                assertThat(c.closeReason()).isEqualTo("toxic");
            });
        }
    }

    @Test
    void finDropWithNoneKeepsTheConnectionHalfOpen() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "fin_drop", "downstream", Map.of());
            try (Socket client = ProxyHarness.connect(ProxyHarness.port(p), 800);
                    Socket accepted = server.accept()) {
                accepted.shutdownOutput();
                assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
                harness.registry().removeToxic("p", "fin_drop_downstream");
                assertThat(client.getInputStream().read()).as("removing the toxic delivers the FIN").isEqualTo(-1);
            }
        }
    }

    @Test
    void finDelayDeliversDataAtOnceAndEofLate() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "fin_delay", "downstream", Map.of("delay", 600));
            try (Socket client = ProxyHarness.connect(p); Socket accepted = server.accept()) {
                long start = System.nanoTime();
                accepted.getOutputStream().write("data".getBytes());
                accepted.shutdownOutput();
                assertThat(new String(client.getInputStream().readNBytes(4))).isEqualTo("data");
                assertThat(millisSince(start)).isLessThan(300);
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat(millisSince(start)).isBetween(580L, 2000L);
            }
        }
    }

    @Test
    void rstOnCloseTurnsTheServersFinIntoAReset() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Proxy p = harness.proxy("p", server.getLocalPort());
            harness.toxic("p", "rst_on_close", "downstream", Map.of());
            try (Socket client = ProxyHarness.connect(p)) {
                Socket accepted = server.accept();
                roundTripVia(client, accepted);
                accepted.close();
                assertThatThrownBy(() -> client.getInputStream().read()).hasMessageContaining("reset");
            }
        }
    }

    private static void roundTripVia(Socket client, Socket accepted) throws IOException {
        client.getOutputStream().write('q');
        assertThat(accepted.getInputStream().read()).isEqualTo('q');
    }

    // ---- targeting, schedules, seeds ----

    private boolean isReset(Proxy p) {
        try (Socket s = ProxyHarness.connect(ProxyHarness.port(p), 5000)) {
            s.getOutputStream().write('x');
            return s.getInputStream().read() != 'x';
        } catch (IOException | java.io.UncheckedIOException e) {
            // a reset can arrive while connecting, writing or reading: all mean the toxic acted
            return true;
        }
    }

    @Test
    void selectorFirstTwoAffectsExactlyTheFirstTwoConnections() {
        Proxy p = harness.proxy("p", echo.port());
        harness.registry().addToxic("p", new ToxicRequest("refuse", "upstream_refuse", "upstream", null, Map.of(),
                Map.of("first", 2L), null, null));
        assertThat(new boolean[] {isReset(p), isReset(p), isReset(p), isReset(p)})
                .containsExactly(true, true, false, false);
    }

    @Test
    void selectorByClientAddressOnlyHitsThatClient() throws IOException {
        Proxy p = harness.registry().create(new ProxySpec("p", HostPort.parse("listen", "0.0.0.0:0", true),
                HostPort.parse("upstream", "127.0.0.1:" + echo.port(), false), true));
        harness.registry().addToxic("p", new ToxicRequest("refuse", "upstream_refuse", "upstream", null, Map.of(),
                Map.of("clients", java.util.List.of("127.0.0.2/32")), null, null));
        assertThat(isReset(p)).as("127.0.0.1 is not targeted").isFalse();
        assertThatThrownBy(() -> {
            try (Socket s = new Socket()) {
                s.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                s.connect(new java.net.InetSocketAddress("127.0.0.1", ProxyHarness.port(p)), 2000);
                s.setSoTimeout(5000);
                s.getOutputStream().write('x');
                s.getInputStream().read();
            }
        }).as("127.0.0.2 is targeted").hasMessageContaining("reset");
    }

    @Test
    void scheduledToxicActsOnlyInsideItsWindowThenRemovesItself() throws InterruptedException {
        Proxy p = harness.proxy("p", echo.port());
        long created = System.nanoTime();
        harness.registry().addToxic("p", new ToxicRequest("later", "upstream_refuse", "upstream", null, Map.of(),
                null, Map.of("start_after_ms", 600L, "duration_ms", 800L), null));
        assertThat(p.toxicsSnapshot()).singleElement().satisfies(t -> assertThat(t.armed()).isFalse());
        assertThat(isReset(p)).as("before the window").isFalse();
        Thread.sleep(Math.max(0, 900 - millisSince(created)));
        assertThat(p.toxicsSnapshot()).singleElement().satisfies(t -> assertThat(t.armed()).isTrue());
        assertThat(isReset(p)).as("inside the window").isTrue();
        Thread.sleep(Math.max(0, 1700 - millisSince(created)));
        assertThat(p.toxicsSnapshot()).as("removed itself").isEmpty();
        assertThat(isReset(p)).as("after the window").isFalse();
    }

    private boolean[] refusalPattern(long seed) {
        try (ProxyHarness h = new ProxyHarness(); EchoServer e = new EchoServer()) {
            Proxy p = h.proxy("p", e.port());
            h.registry().addToxic("p", new ToxicRequest("coin", "upstream_refuse", "upstream", 0.5, Map.of(), null,
                    null, seed));
            boolean[] pattern = new boolean[16];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = isReset(p);
            }
            return pattern;
        }
    }

    @Test
    void sameSeedReplaysTheSameChoices() {
        boolean[] first = refusalPattern(42);
        boolean[] second = refusalPattern(42);
        assertThat(second).containsExactly(first);
        int refused = 0;
        for (boolean b : first) {
            refused += b ? 1 : 0;
        }
        assertThat(refused).as("toxicity 0.5 picks some, not all").isBetween(2, 14);
        assertThat(refusalPattern(7)).as("another seed, other choices").isNotEqualTo(first);
    }
}
