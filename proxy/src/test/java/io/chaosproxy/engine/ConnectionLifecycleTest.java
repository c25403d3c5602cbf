package io.chaosproxy.engine;

import io.chaosproxy.model.HostPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Io;
import io.chaosproxy.testing.ProxyHarness;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Half-closes, resets, refused and black-holed upstreams, as a client sees them. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLifecycleTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private ProxyHarness harness = new ProxyHarness();

    @AfterEach
    void tearDown() {
        harness.close();
        closeables.forEach(Io::closeQuietly);
    }

    @Test
    void clientHalfCloseReachesServerAsEofWhileRepliesKeepFlowing() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Proxy proxy = harness.proxy("p", server.getLocalPort());
            try (Socket client = ProxyHarness.connect(proxy); Socket upstream = accept(server)) {
                client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(Io.readToEof(upstream.getInputStream(), 100)).asString(StandardCharsets.US_ASCII)
                        .isEqualTo("request");
                for (int i = 0; i < 3; i++) {
                    upstream.getOutputStream().write(("reply" + i).getBytes(StandardCharsets.US_ASCII));
                    assertThat(Io.readExactly(client.getInputStream(), 6)).asString(StandardCharsets.US_ASCII)
                            .isEqualTo("reply" + i);
                }
                upstream.shutdownOutput();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void serverHalfCloseReachesClientAsEofWhileClientCanStillSend() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Proxy proxy = harness.proxy("p", server.getLocalPort());
            try (Socket client = ProxyHarness.connect(proxy); Socket upstream = accept(server)) {
                upstream.getOutputStream().write("banner".getBytes(StandardCharsets.US_ASCII));
                upstream.shutdownOutput();
                assertThat(Io.readToEof(client.getInputStream(), 100)).asString(StandardCharsets.US_ASCII)
                        .isEqualTo("banner");
                client.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(Io.readToEof(upstream.getInputStream(), 100)).asString(StandardCharsets.US_ASCII)
                        .isEqualTo("still here");
            }
        }
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void serverResetReachesClientAsConnectionReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Proxy proxy = harness.proxy("p", server.getLocalPort());
            try (Socket client = ProxyHarness.connect(proxy); Socket upstream = accept(server)) {
                client.getOutputStream().write(1);
                assertThat(upstream.getInputStream().read()).isEqualTo(1);
                upstream.setSoLinger(true, 0);
                upstream.close();
                assertThatThrownBy(() -> client.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            }
        }
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void clientResetReachesServerAsConnectionReset() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Proxy proxy = harness.proxy("p", server.getLocalPort());
            try (Socket client = ProxyHarness.connect(proxy); Socket upstream = accept(server)) {
                client.getOutputStream().write(1);
                assertThat(upstream.getInputStream().read()).isEqualTo(1);
                client.setSoLinger(true, 0);
                client.close();
                assertThatThrownBy(() -> upstream.getInputStream().read())
                        .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            }
        }
    }

    @Test
    void refusedUpstreamResetsTheClient() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Proxy proxy = harness.proxy("p", closedPort);
        // The proxy accepts, is refused and resets within microseconds: the client sees the reset at its first
        // read, or already while its connect() call returns. Either way it is a reset, never an EOF.
        assertThatThrownBy(() -> {
            try (Socket client = ProxyHarness.connect(proxy)) {
                client.getInputStream().read();
            }
        }).satisfies(thrown -> assertThat(ProxyHarness.clientFailure(thrown))
                .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset"));
    }

    @Test
    void blackholedUpstreamResetsClientAfterConnectTimeoutWhileOtherProxiesServe() throws Exception {
        harness.close();
        harness = new ProxyHarness(EngineConfig.defaults().withConnectTimeoutMillis(700));
        ServerSocket hole = track(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        // Fill the accept queue (never accepted): Linux then drops further SYNs, so a dial hangs like a blackhole.
        boolean hangs = false;
        for (int i = 0; i < 8 && !hangs; i++) {
            Socket filler = track(new Socket());
            try {
                filler.connect(new InetSocketAddress("127.0.0.1", hole.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                hangs = true;
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(hangs, "could not make a loopback dial hang");
        EchoServer echo = track(new EchoServer());
        Proxy blackholed = harness.proxy("blackholed", hole.getLocalPort());
        Proxy healthy = harness.proxy("healthy", echo.port());
        try (Socket victim = ProxyHarness.connect(blackholed)) {
            long start = System.nanoTime();
            try (Socket other = ProxyHarness.connect(healthy)) {
                assertThat(Io.medianRoundTripMillis(other, 5)).isLessThan(100);
            }
            assertThatThrownBy(() -> victim.getInputStream().read())
                    .isInstanceOf(SocketException.class).hasMessageContaining("Connection reset");
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(waitedMs).isBetween(500L, 3000L);
        }
    }

    @Test
    void disabledProxyRefusesNewClientsAndClosesOpenOnesUntilReEnabled() throws Exception {
        EchoServer echo = track(new EchoServer());
        Proxy proxy = harness.proxy("p", echo.port());
        int port = ProxyHarness.port(proxy);
        Socket open = track(ProxyHarness.connect(proxy));
        Io.roundTripNanos(open, new byte[] {1});
        harness.registry().update("p", null, null, false);
        assertThat(readEofOrReset(open.getInputStream())).isTrue();
        assertThatThrownBy(() -> ProxyHarness.connect(port, 1000)).hasCauseInstanceOf(ConnectException.class);
        harness.registry().update("p", null, null, true);
        try (Socket again = ProxyHarness.connect(ProxyHarness.port(proxy), 5000)) {
            assertThat(Io.medianRoundTripMillis(again, 3)).isLessThan(100);
        }
    }

    @Test
    void listenAndUpstreamCanChangeAtRuntime() throws Exception {
        EchoServer first = track(new EchoServer());
        EchoServer second = track(new EchoServer());
        Proxy proxy = harness.proxy("p", first.port());
        int oldPort = ProxyHarness.port(proxy);
        harness.registry().update("p", HostPort.parse("listen", "127.0.0.1:0", true), null, null);
        int newPort = ProxyHarness.port(proxy);
        assertThat(newPort).isNotEqualTo(oldPort);
        assertThatThrownBy(() -> ProxyHarness.connect(oldPort, 1000)).hasCauseInstanceOf(ConnectException.class);
        try (Socket s = ProxyHarness.connect(newPort, 5000)) {
            Io.roundTripNanos(s, new byte[] {1});
        }
        assertThat(first.accepted()).isEqualTo(1);
        harness.registry().update("p", null, HostPort.parse("upstream", second.address(), false), null);
        try (Socket s = ProxyHarness.connect(newPort, 5000)) {
            Io.roundTripNanos(s, new byte[] {1});
        }
        assertThat(second.accepted()).isEqualTo(1);
        assertThat(first.accepted()).isEqualTo(1);
    }

    private static boolean readEofOrReset(InputStream in) {
        try {
            return in.read() == -1;
        } catch (java.io.IOException e) {
            return true;
        }
    }

    private static Socket accept(ServerSocket server) throws java.io.IOException {
        server.setSoTimeout(5000);
        Socket s = server.accept();
        s.setSoTimeout(5000);
        return s;
    }

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void resetFromAServerThatAlreadySentItsFinReachesTheClientAtItsFirstWrite() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                harness.engine().transport().kind() != io.chaosproxy.engine.TransportKind.NIO,
                "detecting an RST after a FIN reads TCP_INFO (io_uring or epoll; NIO cannot)");
        try (ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Proxy proxy = harness.proxy("p", server.getLocalPort());
            try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
                accepted.close(); // FIN to the client; any later byte from the client draws an RST
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                client.getOutputStream().write('x'); // reaches the server's kernel, which answers with an RST
                Thread.sleep(200);
                // As without a proxy: the RST has arrived, so the next write fails.
                assertThatThrownBy(() -> {
                    client.getOutputStream().write('y');
                    client.getOutputStream().flush();
                }).isInstanceOf(java.io.IOException.class);
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                    proxy.connectionSummaries().stream().anyMatch(c -> "server_rst".equals(c.closeReason())));
        }
    }
}
