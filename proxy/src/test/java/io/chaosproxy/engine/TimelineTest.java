package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventType;
import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.timeline.ConnectionSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each connection's events in order, with the close reason the metrics count too. */
class TimelineTest {
    private ProxyHarness harness;
    private ServerSocket server;
    private Proxy proxy;

    @BeforeEach
    void start() throws IOException {
        harness = new ProxyHarness();
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        proxy = harness.proxy("p", server.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        harness.close();
        server.close();
    }

    private ConnectionSummary closedConnection() {
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.connectionSummaries().stream()
                .anyMatch(c -> c.state().equals("closed")));
        return proxy.connectionSummaries().stream().filter(c -> c.state().equals("closed")).findFirst().get();
    }

    private static List<String> steps(ConnectionSummary c) {
        return c.events().stream().map(e -> e.type().jsonName() + (e.leg() == null ? "" : ":" + e.leg().label())).toList();
    }

    private double closedCount(String reason) {
        var c = harness.meters().find("chaosproxy.connections.closed").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void normalCloseInOrder() throws IOException {
        try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
            client.getOutputStream().write('a');
            assertThat(accepted.getInputStream().read()).isEqualTo('a');
            accepted.getOutputStream().write('b');
            assertThat(client.getInputStream().read()).isEqualTo('b');
            client.shutdownOutput();
            assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            accepted.close();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        ConnectionSummary c = closedConnection();
        assertThat(steps(c)).containsExactly("accepted:client", "dial_started:server", "upstream_connected:server",
                "first_byte:client", "first_byte:server", "fin:client", "fin:server", "closed");
        assertThat(c.closeReason()).isEqualTo("client_fin");
        assertThat(c.bytesUpstream()).isEqualTo(1);
        assertThat(c.bytesDownstream()).isEqualTo(1);
        List<Long> times = c.events().stream().map(ConnectionEvent::sinceAcceptNanos).toList();
        assertThat(times).isSorted();
        assertThat(closedCount("client_fin")).as("metrics agree with the timeline").isEqualTo(1);
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void clientResetInOrder() throws IOException {
        try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
            client.getOutputStream().write('a');
            assertThat(accepted.getInputStream().read()).as("established end to end").isEqualTo('a');
            client.setSoLinger(true, 0);
            client.close();
            accepted.setSoTimeout(5000);
            try {
                accepted.getInputStream().read();
            } catch (IOException expected) {
                // the server sees the reset
            }
        }
        ConnectionSummary c = closedConnection();
        assertThat(steps(c)).containsSubsequence("accepted:client", "upstream_connected:server", "rst:client",
                "closed");
        assertThat(c.closeReason()).isEqualTo("client_rst");
        assertThat(closedCount("client_rst")).isEqualTo(1);
    }

    @SuppressWarnings("try") // closing a socket inside its try is what the test does
    @Test
    void serverResetInOrder() throws IOException {
        try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
            client.getOutputStream().write('a');
            assertThat(accepted.getInputStream().read()).as("established end to end").isEqualTo('a');
            accepted.setSoLinger(true, 0);
            accepted.close();
            try {
                client.getInputStream().read();
            } catch (IOException expected) {
                // the client sees the reset
            }
        }
        ConnectionSummary c = closedConnection();
        assertThat(steps(c)).containsSubsequence("upstream_connected:server", "rst:server", "closed");
        assertThat(c.closeReason()).isEqualTo("server_rst");
    }

    @Test
    void toxicsAppearWithWhatTheyDid() throws IOException {
        harness.toxic("p", "reset_peer", "downstream", Map.of("after_bytes", 2));
        try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
            accepted.getOutputStream().write(new byte[10]);
            try {
                client.getInputStream().readNBytes(10);
            } catch (IOException expected) {
                // reset after 2 bytes
            }
        }
        ConnectionSummary c = closedConnection();
        assertThat(c.events()).anyMatch(e -> e.type() == EventType.TOXIC_APPLIED && e.detail().equals("reset_peer"));
        assertThat(c.events()).anyMatch(e -> e.type() == EventType.TOXIC_ACTION
                && e.detail().contains("RST after 2 bytes"));
        assertThat(c.closeReason()).isEqualTo("toxic");
        assertThat(closedCount("toxic")).isEqualTo(1);
    }

    @Test
    void openConnectionsShowTheirStateAndClosedOnesAreBounded() throws IOException {
        try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
            client.getOutputStream().write('a');
            assertThat(accepted.getInputStream().read()).isEqualTo('a');
            assertThat(proxy.connectionSummaries()).singleElement()
                    .satisfies(c -> assertThat(c.state()).isEqualTo("open"));
            client.shutdownOutput();
            assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.connectionSummaries().get(0).state()
                    .equals("half_closed"));
        }
    }
}
