package io.chaosproxy.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards in {@code dashboards/} against a real Prometheus scraping a real chaos-proxy: a scripted
 * scenario (clean traffic, latency, reset_peer, a refused and a timed-out dial, resets from either peer, fin_drop)
 * runs through plain sockets, then every panel's PromQL must evaluate without error and return series. Panels fed
 * by the packet engine may be empty where it does not run (never in-process here); panels fed by TCP_INFO may be
 * empty only while chaos-proxy does not export any {@code chaosproxy_tcp_*} metric at all.
 */
class DashboardQueriesTest {
    /** Debian's Prometheus; -Dchaosproxy.prometheus=PATH points the test at another binary. */
    private static final Path PROMETHEUS = Path.of(System.getProperty("chaosproxy.prometheus", "/usr/bin/prometheus"));
    private static final String DATASOURCE_UID = "prometheus";
    /** What Grafana would put in for each template or built-in variable when evaluating a panel. */
    private static final Map<String, String> VARIABLES = Map.of(
            "proxy", ".*", "instance", ".*", "application", ".*", "job", ".*",
            "__rate_interval", "15s", "__interval", "5s", "__range", "5m", "__range_s", "300", "__range_ms",
            "300000");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?\\}?");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    private static final Pattern CHAOS_METRIC = Pattern.compile("\\bchaosproxy_[a-zA-Z0-9_]+");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "and", "or", "unless");
    /** Packet engine meters: present only where the packet engine runs (never in this in-process server). */
    private static final String PACKET_PREFIX = "chaosproxy_packet_";
    /** TCP_INFO meters: present once chaos-proxy samples TCP_INFO on open connections. */
    private static final String TCP_PREFIX = "chaosproxy_tcp_";
    /**
     * TCP_INFO counters registered on their first increment: loopback hardly ever retransmits or loses a segment, so
     * these may be missing even when sampling works. Their panels fall back to 0 per sampled leg.
     */
    private static final Set<String> TCP_COUNTERS_CREATED_ON_FIRST_EVENT = Set.of("chaosproxy_tcp_retransmits_total",
            "chaosproxy_tcp_lost_total");

    /** The annotation every dashboard carries: when each toxic was armed, shaded on every panel's time axis. */
    private static final String FAULT_WINDOWS = "Fault windows";

    /** Label values the scenario must have produced in a few panels (by title), beyond "some series". */
    private static final Map<String, List<String>> EXPECTED_IN_RESULT = Map.of(
            "Failed dials /s by outcome", List.of("\"refused\"", "\"timeout\""),
            "Clients reset because the dial failed /s", List.of("\"upstream_refused\"", "\"upstream_timeout\""),
            "Resets and toxic closes /s", List.of("\"toxic\"", "\"client_rst\"", "\"server_rst\""),
            "Toxic actions /s", List.of("\"swallowed FIN\"", "\"RST after N ms\""),
            "Toxics applied /s by type", List.of("\"latency\"", "\"reset_peer\"", "\"fin_drop\""),
            "Active toxics", List.of("\"fin_drop\""),
            FAULT_WINDOWS, List.of("\"fin_drop\""));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path dashboardsDir;
    private static Map<String, JsonNode> dashboards;
    private static ChaosProxyServer server;
    private static final List<AutoCloseable> closeAtEnd = new ArrayList<>();
    private static Process prometheus;
    private static Path prometheusDir;
    private static int prometheusPort;
    private static String skipReason;
    private static Set<String> exported;
    private static Socket keeper;

    @BeforeAll
    static void setUp() throws Exception {
        dashboardsDir = findDashboardsDir();
        dashboards = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dashboardsDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                dashboards.put(f.getFileName().toString(), JSON.readTree(f.toFile()));
            }
        }
        assertThat(dashboards).as("dashboards in %s", dashboardsDir).isNotEmpty();

        if (!Files.isExecutable(PROMETHEUS)) {
            skipReason = PROMETHEUS + " is missing (Debian package 'prometheus': apt-get install -y "
                    + "--no-install-recommends prometheus); the panels' queries were not evaluated";
            return;
        }
        long started = System.nanoTime();
        // A short connect timeout so the black-holed dial of the scenario times out within the test's budget.
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults().withConnectTimeoutMillis(1500));
        startPrometheus();
        awaitPrometheus("up{job=\"chaos-proxy\"} == 1", 20);
        runScenario();
        exported = exportedMetricNames(scrape());
        System.out.printf("DashboardQueriesTest: Prometheus up and scenario done in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (keeper != null) {
            keeper.close();
        }
        if (server != null) {
            server.close();
        }
        for (AutoCloseable c : closeAtEnd) {
            c.close();
        }
        if (prometheusDir != null) {
            try (Stream<Path> walk = Files.walk(prometheusDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the JSON

    @Test
    void everyPanelHasAUniqueIdAUnitADescriptionAndTheProvisionedDatasource() throws IOException {
        String provisioned = Files.readString(dashboardsDir.resolve("provisioning/datasources/prometheus.yml"));
        assertThat(provisioned).as("provisioned datasource").containsPattern("(?m)^\\s*uid:\\s*" + DATASOURCE_UID
                + "\\s*$").containsPattern("(?m)^\\s*type:\\s*prometheus\\s*$");
        Set<String> uids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            String file = e.getKey();
            JsonNode dash = e.getValue();
            if (!uids.add(dash.path("uid").asText())) {
                problems.add(file + ": dashboard uid " + dash.path("uid") + " used twice");
            }
            if (dash.path("schemaVersion").asInt() < 36) {
                problems.add(file + ": schemaVersion " + dash.path("schemaVersion") + " is older than Grafana 9");
            }
            checkFaultWindows(file, dash, problems);
            Set<String> variables = new HashSet<>();
            for (JsonNode v : dash.path("templating").path("list")) {
                variables.add(v.path("name").asText());
                checkDatasource(file + " variable " + v.path("name"), v.path("datasource"), problems);
            }
            if (!variables.containsAll(List.of("proxy", "instance"))) {
                problems.add(file + ": template variables proxy and instance expected, found " + variables);
            }
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : panels(dash)) {
                String where = file + " panel " + panel.path("id") + " '" + panel.path("title").asText() + "'";
                if (!panel.path("id").isInt() || !ids.add(panel.path("id").asInt())) {
                    problems.add(where + ": id missing or not unique");
                }
                if (panel.path("description").asText().isBlank()) {
                    problems.add(where + ": no description");
                }
                if (panel.path("fieldConfig").path("defaults").path("unit").asText().isBlank()) {
                    problems.add(where + ": no fieldConfig.defaults.unit");
                }
                checkDatasource(where, panel.path("datasource"), problems);
                if (!panel.path("targets").isArray() || panel.path("targets").isEmpty()) {
                    problems.add(where + ": no targets");
                }
                for (JsonNode t : panel.path("targets")) {
                    checkDatasource(where + " target " + t.path("refId").asText(), t.path("datasource"), problems);
                    if (t.path("expr").asText().isBlank()) {
                        problems.add(where + " target " + t.path("refId").asText() + ": no expr");
                    }
                }
            }
        }
        assertThat(problems).as("problems in the dashboards' JSON").isEmpty();
    }

    @Test
    void provisioningPointsGrafanaAndPrometheusAtTheRightPlaces() throws IOException {
        String provider = Files.readString(dashboardsDir.resolve("provisioning/dashboards/chaos-proxy.yml"));
        assertThat(provider).containsPattern("(?m)^\\s*type:\\s*file\\s*$")
                .containsPattern("(?m)^\\s*path:\\s*/var/lib/grafana/dashboards\\s*$");
        String datasource = Files.readString(dashboardsDir.resolve("provisioning/datasources/prometheus.yml"));
        assertThat(datasource).containsPattern("(?m)^\\s*url:\\s*http://prometheus:9090\\s*$");
        String scrape = Files.readString(dashboardsDir.resolve("prometheus.yml"));
        assertThat(scrape).contains("chaos-proxy:8474").containsPattern("(?m)^\\s*metrics_path:\\s*/metrics\\s*$")
                .containsPattern("(?m)^\\s*scrape_interval:\\s*5s\\s*$");
    }

    // ------------------------------------------------------------------------------------------------ the queries

    @Test
    void everyMetricNamedInAQueryIsExported() {
        assumeTrue(skipReason == null, () -> skipReason);
        boolean packetEngine = exported.stream().anyMatch(n -> n.startsWith(PACKET_PREFIX));
        boolean tcpInfo = exported.stream().anyMatch(n -> n.startsWith(TCP_PREFIX));
        List<String> missing = new ArrayList<>();
        Set<String> warnings = new TreeSet<>();
        for (Query q : queries()) {
            for (String metric : metricNames(q.expr())) {
                if (exported.contains(metric)) {
                    continue;
                }
                if (metric.startsWith(PACKET_PREFIX) && !packetEngine) {
                    warnings.add(metric + ": absent, the packet engine does not run here");
                } else if (metric.startsWith(TCP_PREFIX) && !tcpInfo) {
                    warnings.add(metric + ": absent, chaos-proxy exports no TCP_INFO metric at all "
                            + "(NIO transport, or sampling off)");
                } else if (TCP_COUNTERS_CREATED_ON_FIRST_EVENT.contains(metric) && tcpInfo) {
                    warnings.add(metric + ": absent, registered on the first retransmission/loss, none on loopback");
                } else {
                    missing.add(q.where() + ": " + metric);
                }
            }
        }
        warnings.forEach(w -> System.out.println("WARNING DashboardQueriesTest: " + w));
        assertThat(missing).as("metrics named in panel queries but absent from GET /metrics").isEmpty();
    }

    @Test
    void everyPanelQueryReturnsSeriesAfterTheScenario() throws Exception {
        assumeTrue(skipReason == null, () -> skipReason);
        boolean packetEngine = exported.stream().anyMatch(n -> n.startsWith(PACKET_PREFIX));
        boolean tcpInfo = exported.stream().anyMatch(n -> n.startsWith(TCP_PREFIX));
        // Panels that may be empty here are evaluated once, for errors; the others are polled until they answer.
        List<Query> mayBeEmpty = new ArrayList<>();
        Set<Query> pending = new LinkedHashSet<>();
        for (Query q : queries()) {
            String why = q.expr().contains(PACKET_PREFIX) && !packetEngine ? "packet engine absent, as expected"
                    : q.expr().contains(TCP_PREFIX) && !tcpInfo ? "chaos-proxy exports no chaosproxy_tcp_* metric"
                    : null;
            if (why != null) {
                mayBeEmpty.add(q);
                System.out.println((why.contains("expected") ? "" : "WARNING ") + "DashboardQueriesTest: may be "
                        + "empty (" + why + "): " + q.where());
            }
            pending.add(q);
        }
        Map<Query, Integer> seriesCount = new LinkedHashMap<>();
        Map<Query, String> lastResult = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        // Rates need two scrapes inside their window: poll, bounded, until every query has answered with series
        // (and, for a few panels, with the label values the scenario must have produced).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!pending.isEmpty()) {
            for (Query q : List.copyOf(pending)) {
                JsonNode answer = prometheusQuery(q.promql());
                if (!"success".equals(answer.path("status").asText())) {
                    errors.add(q.where() + ": " + answer.path("errorType").asText() + ": "
                            + answer.path("error").asText() + "\n    " + q.promql());
                    pending.remove(q);
                    continue;
                }
                JsonNode result = answer.path("data").path("result");
                lastResult.put(q, result.toString());
                List<String> expected = EXPECTED_IN_RESULT.getOrDefault(q.title(), List.of());
                if (mayBeEmpty.contains(q)
                        || result.size() > 0 && expected.stream().allMatch(result.toString()::contains)) {
                    seriesCount.put(q, result.size());
                    pending.remove(q);
                }
            }
            if (pending.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(errors).as("panel queries Prometheus rejected").isEmpty();

        List<String> empty = new ArrayList<>();
        for (Query q : pending) {
            empty.add(q.where() + "\n    " + q.promql() + "\n    expected series"
                    + (EXPECTED_IN_RESULT.containsKey(q.title()) ? " with " + EXPECTED_IN_RESULT.get(q.title()) : "")
                    + ", got " + lastResult.get(q));
        }
        seriesCount.forEach((q, n) -> System.out.println("DashboardQueriesTest: " + n + " series: " + q.where()));
        assertThat(empty).as("panels whose query returned no (or not the expected) series after the scenario")
                .isEmpty();
    }

    @Test
    void templateVariablesListTheScenarioProxies() throws Exception {
        assumeTrue(skipReason == null, () -> skipReason);
        Pattern labelValues = Pattern.compile("label_values\\((?:(.*),\\s*)?(\\w+)\\s*\\)");
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            for (JsonNode v : e.getValue().path("templating").path("list")) {
                JsonNode query = v.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                Matcher m = labelValues.matcher(text);
                assertThat(m.matches()).as("%s variable %s: a label_values(...) query", e.getKey(), v.path("name"))
                        .isTrue();
                if (m.group(1) == null || !metricNames(m.group(1) + "{").stream().allMatch(
                        n -> n.startsWith("chaosproxy_"))) {
                    System.out.println("DashboardQueriesTest: evaluated by LabIT, not here: " + e.getKey()
                            + " variable " + v.path("name"));
                    continue;
                }
                String url = "/api/v1/label/" + m.group(2) + "/values"
                        + (m.group(1) == null ? "" : "?match[]=" + encode(substitute(m.group(1))));
                JsonNode values = prometheusGet(url).path("data");
                String name = v.path("name").asText();
                assertThat(values).as("%s variable %s values", e.getKey(), name).isNotEmpty();
                if (name.equals("proxy")) {
                    assertThat(values.toString()).contains("\"shop\"", "\"flaky\"", "\"refused\"");
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ the scenario

    /**
     * shop: clean echo traffic, then a latency toxic; keeper stays open through it all (for TCP_INFO sampling).
     * flaky: reset_peer (client sees a reset), a client reset, then fin_drop (left armed, for the state timeline).
     * rude: the upstream resets. refused: nothing listens upstream. blackholed: the upstream's accept queue is full,
     * so the dial's SYNs go unanswered and it times out.
     */
    private static void runScenario() throws Exception {
        Upstream echo = Upstream.echo();
        Upstream resetting = Upstream.resetting();
        ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        closeAtEnd.addAll(List.of(echo, resetting, full));
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        Proxy shop = proxy("shop", echo.port());
        Proxy flaky = proxy("flaky", echo.port());
        Proxy rude = proxy("rude", resetting.port());
        Proxy refused = proxy("refused", deadPort);
        Proxy blackholed = proxy("blackholed", full.getLocalPort());

        keeper = connect(shop);
        roundTrip(keeper, 100);
        for (int i = 0; i < 5; i++) {
            try (Socket c = connect(shop)) {
                roundTrip(c, 4096);
                c.shutdownOutput();
                assertThat(c.getInputStream().read()).as("EOF after a clean close").isEqualTo(-1);
            }
        }

        String latency = server.registry().addToxic("shop",
                new ToxicRequest(null, "latency", "downstream", null, Map.of("latency", 50))).name();
        for (int i = 0; i < 3; i++) {
            try (Socket c = connect(shop)) {
                long t0 = System.nanoTime();
                roundTrip(c, 512);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(45);
            }
        }
        roundTrip(keeper, 100);
        Thread.sleep(1500); // the latency toxic stays visible for a scrape or two
        server.registry().removeToxic("shop", latency);

        String reset = server.registry().addToxic("flaky",
                new ToxicRequest(null, "reset_peer", "downstream", null, Map.of("timeout", 200))).name();
        for (int i = 0; i < 2; i++) {
            // Echoed data flows until the RST; on a busy machine it may come before the echo, or even the write.
            assertThatThrownBy(() -> {
                try (Socket c = connect(flaky)) {
                    c.getOutputStream().write(new byte[256]);
                    byte[] buf = new byte[1024];
                    while (c.getInputStream().read(buf) >= 0) {
                        // until the reset (or EOF, which fails the assertion)
                    }
                }
            }).as("reset_peer: the client sees a reset").isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
        server.registry().removeToxic("flaky", reset);

        try (Socket c = connect(flaky)) { // the client resets: client_rst
            roundTrip(c, 256);
            c.setSoLinger(true, 0);
        }
        try (Socket c = connect(rude)) { // the upstream resets: server_rst
            c.getOutputStream().write(new byte[64]);
            assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(SocketException.class);
        }
        for (int i = 0; i < 3; i++) {
            // The reset can even beat connect() home: the client sees it there or at its first read.
            assertThatThrownBy(() -> {
                try (Socket c = connect(refused)) {
                    c.getInputStream().read();
                }
            }).as("refused upstream: the client is reset").isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }

        // Fill the accept queue of an upstream that never accepts; further SYNs are dropped and the dial times out.
        for (int i = 0; i < 3; i++) {
            Socket s = new Socket();
            closeAtEnd.add(s);
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 300);
            } catch (IOException queueAlreadyFull) {
                // expected once the queue is full
            }
        }
        try (Socket c = connect(blackholed)) {
            c.setSoTimeout(5000);
            assertThatThrownBy(() -> c.getInputStream().read()).as("timed-out dial: the client is reset")
                    .isInstanceOf(SocketException.class);
        }

        server.registry().addToxic("flaky", new ToxicRequest(null, "fin_drop", "downstream", null, Map.of()));
        try (Socket c = connect(flaky)) {
            roundTrip(c, 256);
            c.shutdownOutput(); // the echo server closes in turn; its FIN is swallowed
            c.setSoTimeout(700);
            assertThatThrownBy(() -> c.getInputStream().read()).as("fin_drop: no EOF for the client")
                    .isInstanceOf(SocketTimeoutException.class);
        }
        roundTrip(keeper, 100);
        // The fin_drop toxic stays armed so the toxics_active gauge has a series when the panels are evaluated.
        // Two scrapes after the last event, so that rates over the panels' windows cover it.
        awaitPrometheus("rate(chaosproxy_toxic_actions_total{action=\"swallowed FIN\"}[15s])", 15);
        awaitPrometheus("rate(chaosproxy_connections_closed_total{reason=\"upstream_timeout\"}[15s])", 15);
    }

    private static Proxy proxy(String name, int upstreamPort) {
        return server.registry().create(new ProxySpec(name, HostPort.parse("listen", "127.0.0.1:0", true),
                HostPort.parse("upstream", "127.0.0.1:" + upstreamPort, false), true));
    }

    private static Socket connect(Proxy p) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p.boundAddress().getPort()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void roundTrip(Socket s, int size) throws IOException {
        byte[] sent = new byte[size];
        for (int i = 0; i < size; i++) {
            sent[i] = (byte) i;
        }
        s.getOutputStream().write(sent);
        s.getOutputStream().flush();
        assertThat(s.getInputStream().readNBytes(size)).isEqualTo(sent);
    }

    /** An upstream of the test's own on loopback: echoes until EOF, or resets each client after its first bytes. */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket socket;
        private final Thread acceptor;

        private Upstream(boolean reset) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        Thread t = new Thread(() -> serve(c, reset), "dashboards-upstream-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "dashboards-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        static Upstream echo() throws IOException {
            return new Upstream(false);
        }

        static Upstream resetting() throws IOException {
            return new Upstream(true);
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void serve(Socket c, boolean reset) {
            try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                c.setSoTimeout(30_000);
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (reset) {
                        c.setSoLinger(true, 0);
                        return;
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the peer went away (reset_peer, client_rst): nothing to do
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                acceptor.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ Prometheus

    private static void startPrometheus() throws Exception {
        prometheusDir = Files.createTempDirectory("dashboards-prometheus");
        String shipped = Files.readString(dashboardsDir.resolve("prometheus.yml"));
        // The shipped config, pointed at the in-process server and scraping every second.
        String config = shipped.replace("chaos-proxy:8474", "127.0.0.1:" + server.apiAddress().getPort())
                .replaceAll("(?m)^(\\s*)(scrape_interval|evaluation_interval):\\s*\\S+", "$1$2: 1s");
        assertThat(config).as("generated Prometheus config").contains("127.0.0.1:" + server.apiAddress().getPort())
                .contains("scrape_interval: 1s").contains("evaluation_interval: 1s");
        Path configFile = prometheusDir.resolve("prometheus.yml");
        Files.writeString(configFile, config);
        Path log = prometheusDir.resolve("prometheus.log");
        for (int attempt = 0; attempt < 3; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                prometheusPort = s.getLocalPort();
            }
            prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + configFile,
                    "--storage.tsdb.path=" + prometheusDir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + prometheusPort, "--storage.tsdb.retention.time=1h",
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Process started = prometheus;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (prometheus.isAlive() && System.nanoTime() < deadline) {
                if (prometheusReady()) {
                    return;
                }
                Thread.sleep(200);
            }
            prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            System.out.println("DashboardQueriesTest: Prometheus did not start on port " + prometheusPort + ":\n"
                    + Files.readString(log));
        }
        fail("Prometheus did not start; its log: " + prometheusDir.resolve("prometheus.log") + "\n"
                + Files.readString(log));
    }

    private static void awaitPrometheus(String promql, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = prometheusQuery(promql);
            if (last.path("data").path("result").size() > 0) {
                return;
            }
            Thread.sleep(250);
        }
        fail("Prometheus never returned series for " + promql + " within " + seconds + " s: " + last);
    }

    private static JsonNode prometheusQuery(String promql) throws Exception {
        return prometheusGet("/api/v1/query?query=" + encode(promql));
    }

    private static JsonNode prometheusGet(String pathAndQuery) throws Exception {
        return JSON.readTree(http(pathAndQuery).body());
    }

    private static HttpResponse<String> http(String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + pathAndQuery))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean prometheusReady() throws InterruptedException {
        try {
            return http("/-/ready").statusCode() == 200;
        } catch (IOException notListeningYet) {
            return false;
        }
    }

    private static String scrape() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.apiAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static Set<String> exportedMetricNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = line.indexOf('{');
            if (end < 0) {
                end = line.indexOf(' ');
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** One panel target: where it is (for messages), its expression as written, and as evaluated. */
    private record Query(String where, String title, String expr, String promql) {
    }

    private static List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : dashboards.entrySet()) {
            for (JsonNode panel : panels(e.getValue())) {
                for (JsonNode t : panel.path("targets")) {
                    String expr = t.path("expr").asText();
                    String where = e.getKey() + " panel " + panel.path("id").asInt() + " '"
                            + panel.path("title").asText() + "' " + t.path("refId").asText();
                    out.add(new Query(where, panel.path("title").asText(), expr, substitute(expr)));
                }
            }
            for (JsonNode a : e.getValue().path("annotations").path("list")) {
                String expr = a.path("expr").asText();
                String where = e.getKey() + " annotation '" + a.path("name").asText() + "'";
                out.add(new Query(where, a.path("name").asText(), expr, substitute(expr)));
            }
        }
        // Queries on the lab's own services (demo client and server, the application's Micrometer binders) have
        // no source in-process: LabIT evaluates them against the lab's Prometheus.
        out.removeIf(q -> {
            boolean labOnly = metricNames(q.expr()).stream().anyMatch(n -> !n.startsWith("chaosproxy_"));
            if (labOnly) {
                System.out.println("DashboardQueriesTest: evaluated by LabIT, not here: " + q.where());
            }
            return labOnly;
        });
        return out;
    }

    /** Panels, including those nested in collapsed rows. */
    private static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            if (p.path("type").asText().equals("row")) {
                p.path("panels").forEach(out::add);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static String substitute(String expr) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = VARIABLES.get(m.group(1));
            if (value == null) {
                throw new AssertionError("unknown variable $" + m.group(1) + " in " + expr);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** Metric names an expression selects: every name before a label matcher, and every chaosproxy_* word. */
    private static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        String noStrings = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
        Matcher m = SELECTOR.matcher(noStrings);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group(1))) {
                names.add(m.group(1));
            }
        }
        Matcher c = CHAOS_METRIC.matcher(noStrings);
        while (c.find()) {
            names.add(c.group());
        }
        return names;
    }

    /** The fault-window annotation: enabled, on the provisioned datasource, armed toxics only. */
    private static void checkFaultWindows(String file, JsonNode dash, List<String> problems) {
        List<JsonNode> windows = new ArrayList<>();
        for (JsonNode a : dash.path("annotations").path("list")) {
            if (a.path("name").asText().equals(FAULT_WINDOWS)) {
                windows.add(a);
            }
        }
        if (windows.size() != 1) {
            problems.add(file + ": expected one annotation '" + FAULT_WINDOWS + "', found " + windows.size());
            return;
        }
        JsonNode a = windows.get(0);
        checkDatasource(file + " annotation '" + FAULT_WINDOWS + "'", a.path("datasource"), problems);
        if (!a.path("enable").asBoolean(false) || a.path("hide").asBoolean(false)) {
            problems.add(file + " annotation '" + FAULT_WINDOWS + "': not enabled and shown by default");
        }
        if (!a.path("expr").asText().matches(".*chaosproxy_toxics_active\\{.*proxy=~\"\\$proxy\".*\\}.*== 1")) {
            problems.add(file + " annotation '" + FAULT_WINDOWS + "': expr " + a.path("expr")
                    + " is not chaosproxy_toxics_active{...proxy=~\"$proxy\"...} == 1");
        }
    }

    private static void checkDatasource(String where, JsonNode ds, List<String> problems) {
        if (ds.isMissingNode() || ds.isNull()) {
            problems.add(where + ": no datasource (Grafana would pick the default, not necessarily ours)");
        } else if (!ds.path("uid").asText().equals(DATASOURCE_UID)
                || !ds.path("type").asText("prometheus").equals("prometheus")) {
            problems.add(where + ": datasource " + ds + " is not the provisioned {uid: " + DATASOURCE_UID + "}");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static Path findDashboardsDir() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("dashboards");
            if (Files.isDirectory(candidate.resolve("provisioning"))) {
                return candidate;
            }
        }
        throw new UncheckedIOException(
                new IOException("no dashboards/ folder above " + System.getProperty("user.dir")));
    }
}
