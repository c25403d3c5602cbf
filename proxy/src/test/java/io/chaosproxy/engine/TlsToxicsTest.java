package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventType;
import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Payload;
import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.testing.TlsCertificates;
import io.chaosproxy.testing.TlsEchoServer;
import io.chaosproxy.timeline.ConnectionSummary;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS toxics as the JDK's own TLS client (SSLSocket) and server see them through the proxy, for TLS 1.2 and 1.3
 * (the client pins the version): the client's real exceptions, measured delays, SHA-256 of the bytes after removal,
 * and what the proxy's timeline read from the handshake.
 */
class TlsToxicsTest {
    private static final byte[] DATA = Payload.bytes(200_000, 7);
    private ProxyHarness harness;
    private TlsEchoServer server;

    @BeforeEach
    void start() {
        harness = new ProxyHarness();
        server = new TlsEchoServer(TlsCertificates.get().serverContext());
    }

    @AfterEach
    void stop() {
        harness.close();
        server.close();
    }

    /** A TLS client socket to the proxy, SNI localhost, the given protocol pinned, a read timeout. */
    /** A client's handshake through {@code proxy}: what it threw (null when it completed); the socket is closed. */
    static Throwable handshakeThrough(Proxy proxy, String protocol, int readTimeoutMillis) throws IOException {
        try (SSLSocket s = client(proxy, protocol, readTimeoutMillis)) {
            return catchThrowable(s::startHandshake);
        }
    }

    /** Waits until the TLS server has seen the client's connection (up to 5 s). */
    private void awaitServerSawTheClient() {
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> !server.seen().isEmpty());
    }

    static SSLSocket client(Proxy proxy, String protocol, int readTimeoutMillis) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", ProxyHarness.port(proxy)), 5000);
        plain.setSoTimeout(readTimeoutMillis);
        plain.setTcpNoDelay(true);
        SSLSocket s = (SSLSocket) TlsCertificates.get().clientContext(protocol).getSocketFactory()
                .createSocket(plain, "localhost", plain.getPort(), true);
        SSLParameters params = s.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName("localhost")));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(params);
        return s;
    }

    /** Handshake, then DATA through the echo server and back; returns the SHA-256 of what came back. */
    static String echoAll(SSLSocket s) throws IOException {
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        Thread writer = new Thread(() -> {
            try {
                out.write(DATA);
                out.flush();
            } catch (IOException ignored) {
                // the reader reports the failure
            }
        });
        writer.start();
        byte[] back = new byte[DATA.length];
        int got = 0;
        while (got < back.length) {
            int n = in.read(back, got, back.length - got);
            if (n < 0) {
                throw new EOFException("echo ended after " + got + " bytes");
            }
            got += n;
        }
        return Payload.sha256(back);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private List<ConnectionEvent> events(Proxy p, EventType type) {
        List<ConnectionEvent> out = new ArrayList<>();
        for (ConnectionSummary c : p.connectionSummaries()) {
            for (ConnectionEvent e : c.events()) {
                if (e.type() == type) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    private static List<String> causes(Throwable t) {
        List<String> out = new ArrayList<>();
        for (Throwable c = t; c != null && out.size() < 6; c = c.getCause()) {
            out.add(c.toString());
        }
        return out;
    }

    // ---- the reader alone ----

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aTlsAwareProxyReadsTheHandshakeAndChangesNoByte(String protocol) throws IOException {
        Proxy p = harness.proxy("p", server.port());
        p.tlsAware(true);
        try (SSLSocket s = client(p, protocol, 10_000)) {
            assertThat(echoAll(s)).isEqualTo(Payload.sha256(DATA));
            assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
        }
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> !events(p, EventType.TLS_HANDSHAKE_DONE).isEmpty());
        ConnectionEvent hello = events(p, EventType.TLS_CLIENT_HELLO).get(0);
        assertThat(hello.tls().sni()).isEqualTo("localhost");
        assertThat(hello.tls().offeredVersions()).first().isEqualTo(protocol);
        assertThat(hello.tls().alpn()).containsExactly("http/1.1");
        assertThat(events(p, EventType.TLS_SERVER_HELLO).get(0).tls().version()).isEqualTo(protocol);
        ConnectionEvent done = events(p, EventType.TLS_HANDSHAKE_DONE).get(0);
        assertThat(done.tls().version()).isEqualTo(protocol);
        assertThat(done.durationNanos()).isPositive();
        assertThat(harness.meters().get("chaosproxy.tls.handshake").tag("proxy", "p").timer().count())
                .isEqualTo(1);
        assertThat(harness.meters().get("chaosproxy.tls.versions").tag("proxy", "p").tag("version", protocol)
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void aPlainStreamThroughAProxyWithATlsToxicFlowsUnchangedAndTheReaderStepsAside() throws IOException {
        try (EchoServer echo = new EchoServer()) {
            Proxy p = harness.proxy("plain", echo.port());
            harness.toxic("plain", "tls_hello_stall", "upstream", Map.of());
            try (Socket s = ProxyHarness.connect(p)) {
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write(DATA);
                s.shutdownOutput();
                Payload.Digest back = Payload.readToEof(s.getInputStream());
                byte[] sent = new byte[18 + DATA.length];
                System.arraycopy("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0,
                        sent, 0, 18);
                System.arraycopy(DATA, 0, sent, 18, DATA.length);
                assertThat(back.sha256()).isEqualTo(Payload.sha256(sent));
            }
            ConnectionEvent aside = events(p, EventType.TLS_STEPPED_ASIDE).get(0);
            assertThat(aside.note()).isEqualTo("first bytes are not a TLS record (0x47 'G')");
            assertThat(events(p, EventType.TOXIC_ACTION)).isEmpty();
        }
    }

    // ---- the toxics ----

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void helloStallTimesTheClientOutInTheHandshakeAndTheServerNeverSeesTheHello(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_hello_stall", "upstream", Map.of());
        long start = System.nanoTime();
        Throwable thrown = handshakeThrough(p, protocol, 1000);
        long took = millisSince(start);
        System.out.printf("tls_hello_stall %s: %s after %d ms%n", protocol, causes(thrown), took);
        assertThat(thrown).isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        assertThat(took).isBetween(950L, 3000L);
        awaitServerSawTheClient();
        System.out.printf("tls_hello_stall %s: server saw %s%n", protocol, server.seen());
        assertThat(server.handshakes()).isZero();

        harness.registry().removeToxic("p", "tls_hello_stall_upstream");
        try (SSLSocket s = client(p, protocol, 10_000)) {
            assertThat(echoAll(s)).isEqualTo(Payload.sha256(DATA));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void removingAHelloStallLetsTheHeldHandshakeFinish(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_hello_stall", "upstream", Map.of());
        try (SSLSocket s = client(p, protocol, 10_000)) {
            Thread remover = new Thread(() -> {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
                harness.registry().removeToxic("p", "tls_hello_stall_upstream");
            });
            long start = System.nanoTime();
            remover.start();
            assertThat(echoAll(s)).isEqualTo(Payload.sha256(DATA));
            assertThat(millisSince(start)).isGreaterThanOrEqualTo(480);
            remover.join();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void resetAfterClientHelloResetsTheClientInItsHandshake(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_reset_after", "downstream", Map.of("step", "client_hello"));
        Throwable thrown = handshakeThrough(p, protocol, 5000);
        System.out.printf("tls_reset_after client_hello %s: %s%n", protocol, causes(thrown));
        assertThat(thrown).isInstanceOf(SocketException.class).hasMessage("Connection reset").hasNoCause();
        awaitServerSawTheClient();
        System.out.printf("tls_reset_after client_hello %s: server saw %s%n", protocol, server.seen());
        assertThat(server.handshakes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void cutFlightEndsTheClientsHandshakeInTheCertificateChain(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_cut_flight", "downstream", Map.of("bytes", 600, "then", "fin"));
        Throwable thrown = handshakeThrough(p, protocol, 5000);
        System.out.printf("tls_cut_flight %s: %s%n", protocol, causes(thrown));
        assertThat(thrown).isInstanceOf(SSLHandshakeException.class)
                .hasMessage("Remote host terminated the handshake");
        assertThat(thrown.getCause()).isInstanceOf(EOFException.class).hasMessage("SSL peer shut down incorrectly");
        awaitServerSawTheClient();
        System.out.printf("tls_cut_flight %s: server saw %s%n", protocol, server.seen());
        assertThat(server.handshakes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void handshakeDelayAddsTheDelayPerRoundTrip(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        for (int i = 0; i < 3; i++) {
            handshakeMillis(p, protocol); // warm-up: the first handshakes of a JVM are slow
        }
        long baseline = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            baseline = Math.min(baseline, handshakeMillis(p, protocol));
        }
        harness.toxic("p", "tls_handshake_delay", "downstream", Map.of("delay", 300));
        long delayed = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            delayed = Math.min(delayed, handshakeMillis(p, protocol));
        }
        int roundTrips = protocol.equals("TLSv1.3") ? 1 : 2;
        System.out.printf("tls_handshake_delay 300 %s: handshake %d ms -> %d ms (%d round trips)%n", protocol,
                baseline, delayed, roundTrips);
        // Never faster than the held flights; about 300 ms more per round trip than without the toxic.
        assertThat(delayed).isGreaterThanOrEqualTo(roundTrips * 300L);
        assertThat(delayed - baseline).isBetween(roundTrips * 300L - 100, roundTrips * 300L + 250);
    }

    private long handshakeMillis(Proxy p, String protocol) throws IOException {
        try (SSLSocket s = client(p, protocol, 10_000)) {
            long start = System.nanoTime();
            s.startHandshake();
            // TLS 1.3 clients finish before the server does: one echo makes the server's side count too.
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
            assertThat(s.getInputStream().read()).isEqualTo('x');
            return millisSince(start);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeAfterHandshakeLetsTheHandshakeSucceedAndTheFirstReadSeeTheEnd(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_close_after_handshake", "downstream", Map.of("then", "fin"));
        try (SSLSocket s = client(p, protocol, 5000)) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isEqualTo(protocol);
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
            int read = s.getInputStream().read();
            System.out.printf("tls_close_after_handshake fin %s: handshake %s, then read() = %d%n", protocol,
                    s.getSession().getProtocol(), read);
            assertThat(read).as("end of stream, no application byte").isEqualTo(-1);
        }
        awaitServerSawTheClient();
        System.out.printf("tls_close_after_handshake fin %s: server saw %s%n", protocol, server.seen());
        assertThat(server.seen()).as("the client's byte never reached the server")
                .containsExactly("handshake " + protocol, "eof");
        assertThat(events(p, EventType.TOXIC_ACTION).stream().map(e -> e.action().text()))
                .containsExactly("closed after handshake", "then fin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void resetAfterServerHelloResetsBothSidesBeforeTheClientSeesIt(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_reset_after", "downstream", Map.of("step", "server_hello"));
        Throwable thrown = handshakeThrough(p, protocol, 5000);
        System.out.printf("tls_reset_after server_hello %s: %s%n", protocol, causes(thrown));
        assertThat(thrown).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        awaitServerSawTheClient();
        System.out.printf("tls_reset_after server_hello %s: server saw %s%n", protocol, server.seen());
        assertThat(server.handshakes()).isZero();
        assertThat(events(p, EventType.TLS_SERVER_HELLO)).hasSize(1);
        assertThat(events(p, EventType.TOXIC_ACTION).get(0).action().label()).isEqualTo("RST at ServerHello");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void resetAfterServerFlightDropsTheClientsAnswer(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_reset_after", "downstream", Map.of("step", "server_flight"));
        Throwable thrown;
        try (SSLSocket s = client(p, protocol, 5000)) {
            thrown = catchThrowable(() -> {
                s.startHandshake();
                // A TLS 1.3 client is done once it sent its Finished: the reset meets its first read.
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
                s.getInputStream().read();
            });
        }
        System.out.printf("tls_reset_after server_flight %s: %s%n", protocol, causes(thrown));
        assertThat(causes(thrown)).anySatisfy(c -> assertThat(c).contains("Connection reset"));
        awaitServerSawTheClient();
        System.out.printf("tls_reset_after server_flight %s: server saw %s%n", protocol, server.seen());
        assertThat(server.handshakes()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void cutFlightWithRstResetsTheClientInItsHandshake(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_cut_flight", "downstream", Map.of("bytes", 600, "then", "rst"));
        Throwable thrown = handshakeThrough(p, protocol, 5000);
        System.out.printf("tls_cut_flight rst %s: %s%n", protocol, causes(thrown));
        assertThat(causes(thrown)).anySatisfy(c -> assertThat(c).contains("Connection reset"));
        List<String> actions = events(p, EventType.TOXIC_ACTION).stream().map(e -> e.action().text()).toList();
        assertThat(actions).containsExactly("flight cut after 600 bytes", "then rst");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void closeAfterHandshakeWithRstResetsTheFirstRead(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_close_after_handshake", "downstream", Map.of("then", "rst"));
        try (SSLSocket s = client(p, protocol, 5000)) {
            s.startHandshake();
            Throwable thrown = catchThrowable(() -> {
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
                s.getInputStream().read();
            });
            System.out.printf("tls_close_after_handshake rst %s: %s%n", protocol, causes(thrown));
            assertThat(causes(thrown)).anySatisfy(c -> assertThat(c).contains("Connection reset"));
        }
        assertThat(events(p, EventType.TLS_HANDSHAKE_DONE)).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void anSniSelectorSparesOtherServerNames(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.registry().addToxic("p", new ToxicRequest("elsewhere", "tls_reset_after", null, null,
                Map.of("step", "client_hello"), Map.of("sni", List.of("*.example.com")), null, null));
        harness.registry().addToxic("p", new ToxicRequest("here", "tls_handshake_delay", null, null,
                Map.of("delay", 200), Map.of("sni", List.of("localhost")), null, null));
        long start = System.nanoTime();
        try (SSLSocket s = client(p, protocol, 10_000)) {
            assertThat(echoAll(s)).isEqualTo(Payload.sha256(DATA));
        }
        assertThat(millisSince(start)).isGreaterThanOrEqualTo(200);
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> !events(p, EventType.CLOSED).isEmpty());
        assertThat(events(p, EventType.TOXIC_APPLIED)).extracting(ConnectionEvent::toxic)
                .containsExactly("tls_handshake_delay");
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aClientThatDistrustsTheServerSendsAnAlertTheTimelineShows(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        p.tlsAware(true);
        Socket plain = new Socket("127.0.0.1", ProxyHarness.port(p));
        plain.setSoTimeout(5000);
        javax.net.ssl.SSLContext trustsNothing = javax.net.ssl.SSLContext.getInstance(protocol);
        trustsNothing.init(null, null, null); // the JDK's default CAs: not our self-signed certificate
        try (SSLSocket s = (SSLSocket) trustsNothing.getSocketFactory().createSocket(plain, "localhost", 0, true)) {
            Throwable thrown = catchThrowable(s::startHandshake);
            System.out.printf("untrusted certificate %s: %s%n", protocol, causes(thrown));
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class);
        }
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                .until(() -> !events(p, EventType.CLOSED).isEmpty());
        // The client sends its alert and closes; when its close is an RST (data left unread on its side), Linux
        // drops what the proxy had not read yet, alert included. What is read must be named right.
        List<ConnectionEvent> alerts = events(p, EventType.TLS_ALERT);
        System.out.printf("untrusted certificate %s: proxy saw %s, closed %s%n", protocol,
                alerts.stream().map(ConnectionEvent::detail).toList(), events(p, EventType.CLOSED).get(0).detail());
        if (alerts.isEmpty()) {
            assertThat(events(p, EventType.CLOSED).get(0).reason()).isEqualTo(io.chaosproxy.model.CloseReason.CLIENT_RST);
        } else {
            assertThat(alerts.get(0).leg()).isEqualTo(io.chaosproxy.model.Leg.CLIENT);
            assertThat(alerts.get(0).detail()).isEqualTo(protocol.equals("TLSv1.2") ? "fatal certificate_unknown"
                    : "encrypted alert"); // TLS 1.3: the client's alert is encrypted, and only its size tells
        }
        assertThat(events(p, EventType.TLS_HANDSHAKE_DONE)).isEmpty();
    }

    @Test
    void aServerThatRefusesTheOfferedVersionSendsAPlaintextAlertTheTimelineNames() throws Exception {
        try (TlsEchoServer only13 = new TlsEchoServer(TlsCertificates.get().serverContext(),
                new String[] {"TLSv1.3"})) {
            Proxy p = harness.proxy("v", only13.port());
            p.tlsAware(true);
            Throwable thrown = handshakeThrough(p, "TLSv1.2", 5000);
            System.out.printf("TLS 1.2 client, TLS 1.3-only server: %s%n", causes(thrown));
            assertThat(thrown).isInstanceOf(SSLHandshakeException.class);
            org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS)
                    .until(() -> !events(p, EventType.TLS_ALERT).isEmpty());
            ConnectionEvent alert = events(p, EventType.TLS_ALERT).get(0);
            assertThat(alert.leg()).isEqualTo(io.chaosproxy.model.Leg.SERVER);
            assertThat(alert.detail()).isEqualTo("fatal protocol_version");
            assertThat(events(p, EventType.TLS_SERVER_HELLO)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aHelloStallWithADurationOnlySlowsTheHandshake(String protocol) throws Exception {
        Proxy p = harness.proxy("p", server.port());
        harness.toxic("p", "tls_hello_stall", "upstream", Map.of("duration", 500));
        long start = System.nanoTime();
        try (SSLSocket s = client(p, protocol, 10_000)) {
            assertThat(echoAll(s)).isEqualTo(Payload.sha256(DATA));
        }
        long took = millisSince(start);
        System.out.printf("tls_hello_stall duration=500 %s: handshake and echo in %d ms%n", protocol, took);
        assertThat(took).isBetween(500L, 3000L);
    }
}
