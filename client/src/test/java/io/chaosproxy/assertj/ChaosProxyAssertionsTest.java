package io.chaosproxy.assertj;

import static io.chaosproxy.assertj.ChaosProxyAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.CloseReason;
import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.ConnectionMark;
import io.chaosproxy.client.EventType;
import io.chaosproxy.client.FinThen;
import io.chaosproxy.client.Leg;
import io.chaosproxy.client.ProxyHandle;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The assertions against a real in-process chaos-proxy and real sockets: each one passes when the connection did
 * what it says, and fails, with the connection's timeline in the message, when it did not.
 */
class ChaosProxyAssertionsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private ChaosProxyServer server;
    private ChaosProxyClient client;
    private ServerSocket upstream;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        client = ChaosProxyClient.connect("127.0.0.1", server.apiAddress().getPort());
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::answerOnceAndClose, "upstream");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    /** Reads one line, answers "ok\n", closes (a FIN from the server). */
    private void answerOnceAndClose() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                while (in.read() != '\n') {
                    // the request line
                }
                out.write("ok\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closed) {
                // the test's client reset it, or the socket closed at the end
            }
        }
    }

    private ProxyHandle proxy(String name) {
        return client.createProxy(name, "127.0.0.1:0", "127.0.0.1:" + upstream.getLocalPort());
    }

    /** One request through the proxy; reads the answer and then until EOF or reset. */
    private void request(ProxyHandle p) throws IOException {
        try (Socket s = new Socket(p.listenHost(), p.listenPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            try {
                while (in.read() >= 0) {
                    // until EOF
                }
            } catch (IOException resetOrTimeout) {
                // what the toxic did; the proxy's record says which
            }
        }
    }

    @Test
    void sawConnectionsCountsWhatWentThroughAndPrintsTheTimelinesWhenWrong() throws IOException {
        ProxyHandle p = proxy("seen");
        request(p);
        request(p);
        p.awaitClosed(2, WAIT);
        assertThat(p).sawConnections(2).allClosedWith(CloseReason.SERVER_FIN);
        assertThatThrownBy(() -> assertThat(p).sawConnections(3))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected proxy seen to have seen 3 connection(s) but it saw 2")
                .hasMessageContaining("connection 1 of proxy seen")
                .hasMessageContaining("accepted")
                .hasMessageContaining(" ms ");
        assertThatThrownBy(() -> assertThat(p).allClosedWith(CloseReason.TOXIC))
                .hasMessageContaining("closed with toxic, but this one is server_fin")
                .hasMessageContaining("upstream_connected");
    }

    @Test
    void allClosedWithFailsOnAnIdleProxy() {
        ProxyHandle p = proxy("idle");
        assertThatThrownBy(() -> assertThat(p).allClosedWith(CloseReason.TOXIC))
                .hasMessageContaining("no connection went through it");
    }

    @Test
    void toxicActionOnTheLegThatFeltIt() throws IOException {
        ProxyHandle p = proxy("fin");
        p.toxics().finDrop("half-open").thenMs(300).then(FinThen.RST).create();
        request(p);
        p.awaitClosed(1, WAIT);
        assertThat(p).connection(0).closedWith(CloseReason.TOXIC)
                .hadToxicAction("swallowed FIN").on(Leg.CLIENT)
                .hadToxicAction("then rst").on(Leg.CLIENT)
                .hadEvent(EventType.FIN);
        assertThatThrownBy(() -> assertThat(p).connection(0).hadToxicAction("swallowed FIN").on(Leg.SERVER))
                .hasMessageContaining("expected the toxic action \"swallowed FIN\" on the server leg but it was on [client]")
                .hasMessageContaining("toxic_action");
        assertThatThrownBy(() -> assertThat(p).connection(0).hadToxicAction("FIN replaced by RST"))
                .hasMessageContaining("there was none");
        assertThatThrownBy(() -> assertThat(p).connection(0).closedWith(CloseReason.CLIENT_FIN))
                .hasMessageContaining("closed with client_fin but it is toxic");
        assertThatThrownBy(() -> assertThat(p).connection(5)).hasMessageContaining("it saw 1 connection(s)");
    }

    @Test
    void resetAfterBytesCarriesItsAmountAsATypedField() throws IOException {
        ProxyHandle p = proxy("rst");
        p.toxics().resetPeer("cut").downstream().afterBytes(2).create();
        request(p);
        List<ConnectionInfo> closed = p.awaitClosed(1, WAIT);
        ConnectionInfo.Event action = closed.get(0).events(EventType.TOXIC_ACTION).get(0);
        assertThat(action.action()).isEqualTo("RST after N bytes");
        assertThat(action.amount()).isEqualTo(2);
        assertThat(action.toxic()).isEqualTo("cut");
        assertThat(closed.get(0).firstEvent(EventType.CLOSED).orElseThrow().reason()).isEqualTo(CloseReason.TOXIC);
        assertThat(p).connection(0).hadToxicAction("RST after N bytes").on(Leg.CLIENT);
    }

    @Test
    void noConnectionSinceAMark() throws IOException {
        ProxyHandle p = proxy("mark");
        request(p);
        p.awaitClosed(1, WAIT);
        ConnectionMark mark = p.mark();
        assertThat(p).noConnectionSince(mark);
        request(p);
        p.awaitClosed(2, WAIT);
        assertThat(p.connectionsSince(mark)).singleElement().satisfies(c -> assertThat(c.id()).isEqualTo(2));
        assertThatThrownBy(() -> assertThat(p).noConnectionSince(mark))
                .hasMessageContaining("since the mark, but saw 1")
                .hasMessageContaining("connection 2 of proxy mark");
    }

    @Test
    void awaitConnectionsFailsWithWhatItSaw() {
        ProxyHandle p = proxy("await");
        assertThatThrownBy(() -> p.awaitConnections(1, Duration.ofMillis(200)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 1 connection(s) within PT0.2S, saw 0");
    }

    @Test
    void hasSegmentsSaysWhenThePacketEngineRecordedNone() throws IOException {
        ProxyHandle p = proxy("nosegs");
        request(p);
        p.awaitClosed(1, WAIT);
        assertThatThrownBy(() -> assertThat(p).connection(0).hasSegments())
                .hasMessageContaining("is the packet engine available");
    }

    @Test
    void aToxicArmedWhileTheClientBypassesTheProxyFailsTheTrafficCheck() throws IOException {
        ProxyHandle p = proxy("bypassed");
        p.toxics().latency("slow").latency(50).create();
        // The code under test talks straight to the upstream: the toxic sees nothing.
        try (Socket direct = new Socket(InetAddress.getLoopbackAddress(), upstream.getLocalPort())) {
            direct.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(direct.getInputStream().read()).isEqualTo('o');
        }
        assertThatThrownBy(p::assertTrafficWhileArmed)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("toxic 'slow' (latency) on proxy 'bypassed' was armed but no connection went "
                        + "through the proxy")
                .hasMessageContaining("straight to the upstream 127.0.0.1:" + upstream.getLocalPort());
        request(p);
        p.awaitClosed(1, WAIT);
        p.assertTrafficWhileArmed();
        assertThat(p.toxics().get("slow").info().connectionsSeen()).isEqualTo(1);
    }

    @Test
    void aHandleThatRefusesPacketToxicsSaysWhyAtCreationAndKeepsStreamToxics() {
        ProxyHandle p = proxy("forwarded").refusePacketToxics("only reachable through port forwarding");
        assertThatThrownBy(() -> p.toxics().synDrop().count(1).create())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot create packet toxic syn_drop: only reachable through port forwarding");
        assertThat(p.toxics().list()).isEmpty();
        assertThat(p.toxics().latency().ms(10).create().info().name()).isEqualTo("latency_downstream");
    }

    /** Counting by kind and verdict, on a record as the packet engine gives it for a SYN dropped twice. */
    @Test
    void droppedCountsSegmentsByKindAndVerdict() {
        List<ConnectionInfo.Segment> segments = List.of(
                new ConnectionInfo.Segment(-2_000_000, Leg.CLIENT, "client>proxy", "S", 0, 0, 65495, 0, "", "drop"),
                new ConnectionInfo.Segment(-1_000_000, Leg.CLIENT, "client>proxy", "S", 0, 0, 65495, 0, "", "drop"),
                new ConnectionInfo.Segment(0, Leg.CLIENT, "client>proxy", "S", 0, 0, 65495, 0, "", "accept"),
                new ConnectionInfo.Segment(10, Leg.CLIENT, "proxy>client", "S.", 0, 1, 65483, 0, "", "accept"));
        ConnectionInfo c = new ConnectionInfo(1, "p", "127.0.0.1:5000", Instant.now(), "open",
                new ConnectionInfo.Bytes(0, 0), null, List.of(), 0, segments);
        assertThat(c).hasSegments().dropped(SegmentKind.SYN, 2).dropped(SegmentKind.SYN_ACK, 0);
        assertThatThrownBy(() -> assertThat(c).hasSegments().dropped(SegmentKind.SYN, 3))
                .hasMessageContaining("expected 3 SYN segment(s) with verdict drop but saw 2")
                .hasMessageContaining("segment client client>proxy   [S] drop");
    }
}
