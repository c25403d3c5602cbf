package io.chaosproxy.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a real in-process chaos-proxy, with real sockets through the proxies it creates. */
class ChaosProxyClientTest {
    private ChaosProxyServer server;
    private ChaosProxyClient client;
    private ServerSocket echo;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        client = ChaosProxyClient.connect("127.0.0.1", server.apiAddress().getPort());
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::echoLoop, "echo");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        server.close();
        echo.close();
    }

    /** Echoes every byte; a line "bye\n" makes it answer "bye\n" and close (a FIN from the server). */
    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[8192];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            out.write(buf, 0, n);
                            if (new String(buf, 0, n, StandardCharsets.US_ASCII).endsWith("bye\n")) {
                                return;
                            }
                        }
                    } catch (IOException ignored) {
                        // resets are what several tests are about
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private String upstream() {
        return "127.0.0.1:" + echo.getLocalPort();
    }

    private Socket connect(ProxyHandle p) throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress(p.listenHost(), p.listenPort()), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static long roundTripMillis(Socket s, int bytes) throws IOException {
        byte[] data = new byte[bytes];
        Arrays.fill(data, (byte) 'x');
        long start = System.nanoTime();
        s.getOutputStream().write(data);
        s.getOutputStream().flush();
        int got = 0;
        byte[] buf = new byte[8192];
        while (got < bytes) {
            int n = s.getInputStream().read(buf);
            if (n < 0) {
                throw new IOException("EOF after " + got + " bytes");
            }
            got += n;
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void versionCapabilitiesToxicTypesAndMetrics() {
        assertThat(client.version()).isNotBlank();
        Capabilities caps = client.capabilities();
        assertThat(caps.engines()).containsKeys("stream", "packet");
        assertThat(caps.isAvailable(ToxicType.LATENCY)).isTrue();
        assertThat(caps.packetEngineAvailable() || caps.packetEngineUnavailableReason() != null).isTrue();

        // The client's enum knows every type the server has, with the same phase and engine; every stream-engine
        // type of the client is on the server (packet types only where the server has the packet engine built in).
        List<ToxicTypeInfo> types = client.toxicTypes();
        Set<String> serverNames = types.stream().map(ToxicTypeInfo::type).collect(Collectors.toSet());
        assertThat(Arrays.stream(ToxicType.values()).map(ToxicType::apiName).collect(Collectors.toSet()))
                .containsAll(serverNames);
        assertThat(serverNames).containsAll(Arrays.stream(ToxicType.values()).filter(x -> x.engine() == Engine.STREAM)
                .map(ToxicType::apiName).collect(Collectors.toSet()));
        for (ToxicTypeInfo t : types) {
            ToxicType mine = ToxicType.fromApiName(t.type());
            assertThat(mine.phase()).as(t.type()).isEqualTo(t.phase());
            assertThat(mine.engine()).as(t.type()).isEqualTo(t.engine());
        }
        ToxicTypeInfo latency = types.stream().filter(t -> t.type().equals("latency")).findFirst().orElseThrow();
        assertThat(latency.attributes()).extracting(ToxicTypeInfo.Attribute::name).contains("latency", "jitter");
        assertThat(client.metricsText()).contains("# TYPE jvm_");
    }

    @Test
    void aTlsAwareProxyShowsTheClientHelloInTheTimeline() throws Exception {
        ProxyHandle p = client.createProxy("tls", "127.0.0.1:0", upstream());
        assertThat(p.isTlsAware()).isFalse();
        assertThat(p.setTlsAware(true).info().tlsAware()).isTrue();
        assertThat(p.isTlsAware()).isTrue();
        // A real JDK ClientHello with a server name; the echo upstream answers it with itself, so the handshake
        // fails on the client's side: what counts is what the proxy read on the way.
        try (Socket plain = connect(p)) {
            plain.setSoTimeout(3000);
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) javax.net.ssl.SSLContext.getDefault()
                    .getSocketFactory().createSocket(plain, "localhost", p.listenPort(), true);
            javax.net.ssl.SSLParameters params = tls.getSSLParameters();
            params.setServerNames(List.of(new javax.net.ssl.SNIHostName("db.example.com")));
            tls.setSSLParameters(params);
            assertThatThrownBy(tls::startHandshake).isInstanceOf(IOException.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> p.connections().stream()
                .anyMatch(c -> c.firstEvent(EventType.TLS_CLIENT_HELLO).isPresent()));
        ConnectionInfo.Event hello = p.connections().stream()
                .flatMap(c -> c.events(EventType.TLS_CLIENT_HELLO).stream()).findFirst().orElseThrow();
        assertThat(hello.sni()).isEqualTo("db.example.com");
        assertThat(hello.leg()).isEqualTo(Leg.CLIENT);

        assertThat(p.setTlsAware(false).info().tlsAware()).isFalse();
    }

    @Test
    void proxyLifecycle() throws IOException {
        ProxyHandle p = client.createProxy("echo", "127.0.0.1:0", upstream());
        assertThat(p.listenPort()).isPositive();
        assertThat(p.upstream()).isEqualTo(upstream());
        assertThat(client.proxies()).containsKey("echo");
        assertThat(client.proxy("echo").info().listen()).isEqualTo(p.listen());
        assertThat(client.hasProxy("echo")).isTrue();
        assertThat(client.hasProxy("nope")).isFalse();

        try (Socket s = connect(p)) {
            assertThat(roundTripMillis(s, 10)).isLessThan(1000);
        }

        int port = p.listenPort();
        p.disable();
        assertThat(p.isEnabled()).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        p.enable();
        assertThat(p.listenPort()).isEqualTo(port);
        try (Socket s = connect(p)) {
            assertThat(roundTripMillis(s, 10)).isLessThan(1000);
        }

        // Point the proxy at a dead upstream: the client is reset; back again: it works.
        ServerSocket dead = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int deadPort = dead.getLocalPort();
        dead.close();
        p.setUpstream("127.0.0.1:" + deadPort);
        assertThat(p.upstream()).isEqualTo("127.0.0.1:" + deadPort);
        // The reset comes at the first read or write, or already while connect() returns (it is that quick).
        assertThatThrownBy(() -> {
            try (Socket s = connect(p)) {
                roundTripMillis(s, 10);
            }
        }).isInstanceOf(IOException.class);
        p.setUpstream(upstream());

        ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int newPort = free.getLocalPort();
        free.close();
        p.setListen("127.0.0.1:" + newPort);
        assertThat(p.listenPort()).isEqualTo(newPort);
        try (Socket s = connect(p)) {
            assertThat(roundTripMillis(s, 10)).isLessThan(1000);
        }

        p.delete();
        assertThat(client.proxies()).doesNotContainKey("echo");
    }

    @Test
    void populateCreatesAllAndKeepsIdenticalOnes() {
        List<ProxyHandle> made = client.populate(List.of(
                ProxyConfig.of("a", "127.0.0.1:0", upstream()),
                ProxyConfig.of("b", "127.0.0.1:0", upstream()).disabled()));
        assertThat(made).extracting(ProxyHandle::name).containsExactly("a", "b");
        assertThat(client.proxy("b").info().enabled()).isFalse();
        assertThat(client.proxies()).containsOnlyKeys("a", "b");
    }

    @Test
    void apiErrorsBecomeTypedExceptions() {
        assertThatThrownBy(() -> client.proxy("missing"))
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.isNotFound()).isTrue();
                    assertThat(e.serverMessage()).contains("not found");
                    assertThat(e.getMessage()).contains("GET /proxies/missing: 404");
                });
        ProxyHandle p = client.createProxy("dup", "127.0.0.1:0", upstream());
        assertThatThrownBy(() -> client.createProxy("dup", "127.0.0.1:0", upstream()))
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThatThrownBy(() -> client.createProxy("bad", "127.0.0.1:0", "no-port-here"))
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.serverMessage()).contains("upstream");
                });
        assertThatThrownBy(() -> p.toxics().latency("neg").latency(-3).create())
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.serverMessage()).contains("attributes.latency").contains("-3");
                });
        assertThatThrownBy(() -> p.toxics().noop("n").toxicity(1.5).create())
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isEqualTo(400));
        p.toxics().noop("n").create();
        assertThatThrownBy(() -> p.toxics().noop("n").create())
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isEqualTo(409));
        assertThatThrownBy(() -> p.toxics().remove("absent"))
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isEqualTo(404));
        assertThatThrownBy(() -> client.proxyHandle("ghost").toxics().latency("x").create())
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isEqualTo(404));

        ChaosProxyClient nobody = ChaosProxyClient.connect("127.0.0.1", echo.getLocalPort() == 1 ? 2 : 1)
                .withTimeout(Duration.ofSeconds(2));
        assertThatThrownBy(nobody::version)
                .isInstanceOfSatisfying(ChaosProxyException.class, e -> assertThat(e.status()).isZero());
    }

    @Test
    void latencyDownstreamIsMeasuredAndCanBeChangedAndRemoved() throws IOException {
        ProxyHandle p = client.createProxy("lat", "127.0.0.1:0", upstream());
        try (Socket s = connect(p)) {
            long baseline = roundTripMillis(s, 100);
            ToxicHandle slow = p.toxics().latency("slow").downstream().latency(200).jitter(20).create();
            assertThat(slow.info().type()).isEqualTo("latency");
            assertThat(slow.info().stream()).isEqualTo(Stream.DOWNSTREAM);
            assertThat(slow.info().longAttribute("latency")).isEqualTo(200);
            assertThat(slow.info().longAttribute("jitter")).isEqualTo(20);
            long slowed = roundTripMillis(s, 100);
            assertThat(slowed).isBetween(baseline + 170, baseline + 700);

            slow.setAttribute("latency", 500).setAttribute("jitter", 0);
            assertThat(slow.refresh().longAttribute("latency")).isEqualTo(500);
            assertThat(roundTripMillis(s, 100)).isBetween(480L, 1200L);

            slow.remove();
            assertThat(p.toxics().list()).isEmpty();
            assertThat(roundTripMillis(s, 100)).isLessThan(150);
            System.out.printf("latency: baseline %d ms, with 200±20 ms downstream %d ms%n", baseline, slowed);
        }
    }

    @Test
    void resetPeerAfterBytesIsSeenAsConnectionReset() throws IOException {
        ProxyHandle p = client.createProxy("rst", "127.0.0.1:0", upstream());
        p.toxics().resetPeer("cut").downstream().afterBytes(1024).create();
        try (Socket s = connect(p)) {
            byte[] data = new byte[4096];
            s.getOutputStream().write(data);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int got = 0;
            IOException failure = null;
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got += n;
                }
            } catch (IOException e) {
                failure = e;
            }
            assertThat(failure).isInstanceOf(SocketException.class);
            assertThat(failure.getMessage()).containsIgnoringCase("reset");
            assertThat(got).isLessThanOrEqualTo(1024);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(p.connections()).anySatisfy(c -> assertThat(c.closeReason()).isEqualTo(CloseReason.TOXIC)));
    }

    @Test
    void finDropHoldsTheConnectionHalfOpenThenResets() throws IOException {
        ProxyHandle p = client.createProxy("fin", "127.0.0.1:0", upstream());
        ToxicHandle t = p.toxics().finDrop("half-open").thenMs(1000).then(FinThen.RST).create();
        assertThat(t.info().attributes()).containsEntry("then", "rst").containsEntry("then_ms", 1000);
        try (Socket s = connect(p)) {
            s.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4];
            int got = 0;
            while (got < 4) {
                got += in.read(buf, got, 4 - got);
            }
            long start = System.nanoTime();
            // The server has closed; its FIN is swallowed: no EOF, then an RST after about 1 s.
            assertThatThrownBy(() -> in.read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(waited).isBetween(800L, 3000L);
            System.out.printf("fin_drop: RST %d ms after the server's FIN was swallowed%n", waited);
        }
        List<ConnectionInfo> conns = p.connections();
        ConnectionInfo c = conns.get(conns.size() - 1);
        assertThat(c.firstEvent("accepted")).isPresent();
        assertThat(c.events("toxic_action")).anySatisfy(e -> assertThat(e.detail()).contains("swallowed FIN"));
    }

    @Test
    void selectorScheduleToxicityAndSeedRoundTrip() throws IOException {
        ProxyHandle p = client.createProxy("sel", "127.0.0.1:0", upstream());
        ToxicHandle refuse = p.toxics().upstreamRefuse("first-only").selector(Selector.first(1)).seed(42).create();
        assertThat(refuse.info().selector()).isEqualTo(Selector.first(1));
        assertThat(refuse.info().seed()).isEqualTo(42L);
        // Refused at once: the reset can reach the client while its connect() returns.
        assertThatThrownBy(() -> {
            try (Socket s = connect(p)) {
                roundTripMillis(s, 10);
            }
        }).isInstanceOf(IOException.class);
        try (Socket s = connect(p)) {
            assertThat(roundTripMillis(s, 10)).isLessThan(1000);
        }

        ToxicHandle later = p.toxics().latency("later").latency(100)
                .selector(Selector.every(2).andClients("127.0.0.0/8"))
                .schedule(Duration.ofSeconds(60), Duration.ofSeconds(30)).toxicity(0.5).create();
        assertThat(later.info().schedule().state()).isEqualTo("pending");
        assertThat(later.info().schedule().startAfterMs()).isEqualTo(60_000);
        assertThat(later.info().toxicity()).isEqualTo(0.5);
        assertThat(later.info().selector().clientsOrEmpty()).containsExactly("127.0.0.0/8");
        later.setToxicity(0.25);
        assertThat(later.info().toxicity()).isEqualTo(0.25);

        ToxicHandle soon = p.toxics().noop("soon").schedule(Duration.ofMillis(100), Duration.ZERO).create();
        await().atMost(Duration.ofSeconds(5)).until(() -> soon.refresh().schedule().isActive());

        client.reset();
        assertThat(p.toxics().list()).isEmpty();
    }

    @Test
    void everyStreamEngineTypeIsAcceptedWithItsAttributes() {
        ProxyHandle p = client.createProxy("all", "127.0.0.1:0", upstream());
        Toxics t = p.toxics();
        t.latency(null).latency(1).jitter(0).create();
        t.bandwidth(null).rate(1000).create();
        t.slowClose(null).delay(10).create();
        t.timeout(null).upstream().timeout(100).create();
        t.resetPeer(null).upstream().timeout(50_000).create();
        t.slicer(null).averageSize(10).sizeVariation(2).delayMicros(10).create();
        t.limitData(null).bytes(1_000_000).create();
        t.noop(null).create();
        t.acceptDelay(null).delay(1).create();
        t.upstreamRefuse("ur").selector(Selector.after(1000)).create();
        t.upstreamBlackhole("bh").timeout(10).then(BlackholeThen.HOLD).selector(Selector.after(1000)).create();
        t.stall(null).upstream().duration(1).create();
        t.corrupt(null).everyN(1_000_000).create();
        t.packetLoss("pl").lossRate(0.0).correlation(0.1).create();
        t.finDrop("fd").thenMs(10).then(FinThen.FIN).create();
        t.finDelay("fdl").delay(10).create();
        t.rstOnClose("roc").upstream().create();
        t.tlsHelloStall(null).upstream().duration(1000).create();
        t.tlsResetAfter(null).step(TlsStep.SERVER_HELLO).selector(Selector.sni("*.example.com")).create();
        t.tlsCutFlight(null).bytes(600).then(CloseWith.RST).create();
        t.tlsHandshakeDelay(null).delay(300).create();
        t.tlsCloseAfterHandshake(null).then(CloseWith.FIN).create();
        t.ofType("generic", "latency").attribute("latency", 5).upstream().create();

        List<ToxicInfo> list = t.list();
        Set<ToxicType> types = list.stream().map(ToxicInfo::toxicType).collect(Collectors.toSet());
        Set<ToxicType> stream = EnumSet.noneOf(ToxicType.class);
        Arrays.stream(ToxicType.values()).filter(x -> x.engine() == Engine.STREAM).forEach(stream::add);
        assertThat(types).isEqualTo(stream);
        assertThat(list).filteredOn(x -> x.name().equals("latency_downstream")).singleElement()
                .satisfies(x -> assertThat(x.longAttribute("latency")).isEqualTo(1));
        assertThat(list).filteredOn(x -> x.name().equals("pl")).singleElement()
                .satisfies(x -> assertThat(x.doubleAttribute("correlation")).isEqualTo(0.1));
        assertThat(t.get("bh").info().attributes()).containsEntry("then", "hold");
        assertThat(t.get("tls_reset_after_downstream").info().selector().sniOrEmpty()).containsExactly("*.example.com");
        t.removeAll();
        assertThat(t.list()).isEmpty();
    }

    @Test
    void packetEngineTypesAreCreatedOrRefusedWith422() {
        ProxyHandle p = client.createProxy("pkt", "127.0.0.1:0", upstream());
        Capabilities caps = client.capabilities();
        List<ToxicBuilder<?>> builders = List.of(
                p.toxics().synDrop("no-syn").count(2),
                p.toxics().synackDelay("sad").delay(100),
                p.toxics().synackDrop("sadr").count(1),
                p.toxics().ackDrop("ad").count(1),
                p.toxics().ackDelay("adl").delay(100),
                p.toxics().refuse("rf"),
                p.toxics().finDropPacket("fdp").all(),
                p.toxics().upstreamSynDrop("usd").count(1),
                p.toxics().upstreamSynackDelay("usad").delay(100));
        // The embedded server runs without the packet engine: every packet type is known and refused with 422.
        assertThat(caps.packetEngineAvailable()).isFalse();
        for (ToxicBuilder<?> b : builders) {
            assertThat(b.type().engine()).isEqualTo(Engine.PACKET);
            assertThat(caps.find(b.type().apiName())).as(b.type().apiName()).isPresent();
            assertThatThrownBy(b::create).isInstanceOfSatisfying(ChaosProxyException.class, e -> {
                assertThat(e.status()).isEqualTo(422);
                assertThat(e.isUnavailable()).isTrue();
                assertThat(e.serverMessage()).contains("packet engine");
            });
        }
        assertThat(p.toxics().list()).as("nothing half-applied").isEmpty();
        System.out.println("packet engine: " + (caps.packetEngineAvailable() ? "available"
                : "unavailable: " + caps.packetEngineUnavailableReason()));
    }

    @Test
    void connectionTimelineIsTyped() throws IOException {
        ProxyHandle p = client.createProxy("tl", "127.0.0.1:0", upstream());
        try (Socket s = connect(p)) {
            roundTripMillis(s, 5);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !p.connections().isEmpty()
                && p.connections().get(0).isClosed());
        ConnectionInfo c = p.connections().get(0);
        assertThat(c.proxy()).isEqualTo("tl");
        assertThat(c.client()).startsWith("127.0.0.1:");
        assertThat(c.startedAt()).isNotNull();
        assertThat(c.bytes().upstream()).isEqualTo(5);
        assertThat(c.bytes().downstream()).isEqualTo(5);
        assertThat(c.closeReason()).isEqualTo(CloseReason.CLIENT_FIN);
        assertThat(c.events()).extracting(ConnectionInfo.Event::type)
                .contains(EventType.ACCEPTED, EventType.DIAL_STARTED, EventType.UPSTREAM_CONNECTED,
                        EventType.FIRST_BYTE, EventType.CLOSED);
        assertThat(c.firstEvent("upstream_connected").orElseThrow().leg()).isEqualTo(Leg.SERVER);
        Map<String, ProxyInfo> all = client.proxies();
        assertThat(all.get("tl").toxics()).isEmpty();
    }

    @Test
    void aTokenProtectedServerNeedsTheClientsToken() {
        try (ChaosProxyServer guarded = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), false,
                io.chaosproxy.api.ApiSecurity.defaults().withApiToken("t0ken-for-the-client"))) {
            ChaosProxyClient anonymous = ChaosProxyClient.connect("127.0.0.1", guarded.apiAddress().getPort());
            assertThatThrownBy(anonymous::proxies).isInstanceOfSatisfying(ChaosProxyException.class,
                    e -> assertThat(e.status()).isEqualTo(401));
            assertThatThrownBy(() -> anonymous.withApiToken("wrong").proxies())
                    .isInstanceOfSatisfying(ChaosProxyException.class, e -> {
                        assertThat(e.status()).isEqualTo(401);
                        assertThat(e.getMessage()).contains("wrong API token");
                    });
            ChaosProxyClient authorised = anonymous.withApiToken("t0ken-for-the-client")
                    .withTimeout(Duration.ofSeconds(10));
            authorised.createProxy("p", "127.0.0.1:" + echo.getLocalPort());
            assertThat(authorised.proxies()).containsKey("p");
            assertThat(authorised.toString()).doesNotContain("t0ken");
        }
        assertThatThrownBy(() -> client.withApiToken("has space")).isInstanceOf(IllegalArgumentException.class);
    }
}
