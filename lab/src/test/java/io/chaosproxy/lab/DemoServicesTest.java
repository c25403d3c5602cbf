package io.chaosproxy.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo server's own view of its clients, and the demo client's metrics, read from their /metrics. */
@Timeout(30)
class DemoServicesTest {
    private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$",
            Pattern.MULTILINE);
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private DemoServer server;

    @BeforeEach
    void start() throws Exception {
        server = new DemoServer(new Args("server", new String[] {"--host", HOST, "--http-port", "0",
                "--echo-port", "0", "--metrics-port", "0", "--idle-timeout-ms", "300"}, DemoServer.defaults()));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serverCountsServedResetAndHalfOpenConnections() throws Exception {
        Probe probe = new Probe(1000, 1000);
        assertThat(probe.http(HOST, server.port("http"), 2000, 0).outcome()).isEqualTo(Outcome.OK);
        assertThat(probe.echo(HOST, server.port("echo"), 2000).outcome()).isEqualTo(Outcome.OK);

        // Silent client: connects and never sends (nor closes): half-open while the server waits for the request.
        try (Socket silent = new Socket(HOST, server.port("http"))) {
            assertThat(silent.isConnected()).isTrue();
            awaitValue("demo_server_half_open_total{listener=\"http\",phase=\"request\"}", 1);
        }
        // Request sent, answer not read, then an RST: the server sees the reset (writing or awaiting the FIN).
        try (Socket rude = new Socket(HOST, server.port("http"))) {
            OutputStream out = rude.getOutputStream();
            out.write("GET /?size=1000000 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);
            rude.setSoLinger(true, 0);
        }
        awaitSum("demo_server_resets_total{listener=\"http\"}", 1);
        // Answer read, but the client's FIN never sent: half-open in the close phase.
        try (Socket lingering = new Socket(HOST, server.port("http"))) {
            lingering.getOutputStream().write("GET /?size=10 HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            lingering.getInputStream().readAllBytes();
            awaitValue("demo_server_half_open_total{listener=\"http\",phase=\"close\"}", 1);
        }

        String text = scrape(server.metricsPort());
        assertThat(value(text, "demo_server_requests_total{listener=\"echo\"}")).isEqualTo(1);
        assertThat(value(text, "demo_server_connections_accepted_total{listener=\"http\"}")).isEqualTo(4);
        assertThat(value(text, "demo_server_client_wait_seconds_count{listener=\"http\",phase=\"request\"}"))
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    void clientExportsOutcomesAndHistograms() throws Exception {
        DemoClient client = new DemoClient(new Args("client", new String[] {
                "--http", HOST + ":" + server.port("http"), "--echo", HOST + ":" + server.port("echo"),
                "--rate", "50", "--echo-rate", "20", "--metrics-host", HOST, "--metrics-port", "0",
                "--report-every-s", "0"}, DemoClient.defaults()));
        try {
            client.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            String text = "";
            while (System.nanoTime() < deadline) {
                text = scrape(client.metricsPort());
                if (value(text, "demo_client_requests_total{target=\"http\",outcome=\"ok\"}") >= 10
                        && value(text, "demo_client_requests_total{target=\"echo\",outcome=\"ok\"}") >= 5) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(value(text, "demo_client_requests_total{target=\"http\",outcome=\"ok\"}")).isGreaterThanOrEqualTo(10);
            assertThat(value(text, "demo_client_requests_total{target=\"http\",outcome=\"connection_reset\"}")).isZero();
            assertThat(value(text, "demo_client_connect_duration_seconds_count{target=\"http\"}")).isGreaterThanOrEqualTo(10);
            assertThat(value(text, "demo_client_request_duration_seconds_bucket{target=\"http\",outcome=\"ok\",le=\"0.25\"}"))
                    .isGreaterThanOrEqualTo(0);
            assertThat(value(text, "demo_client_requests_skipped_total{target=\"http\"}")).isZero();
        } finally {
            client.close();
        }
        // The server stopped: the next requests are refused. A connect racing close() can still be accepted (the
        // accept thread holds the listening socket until it wakes up) and then closed: wait for the refusals.
        server.close();
        long deadline = System.nanoTime() + 5_000_000_000L;
        Probe.Result r = new Probe(500, 500).http(HOST, server.port("http"), 10, 0);
        while (r.outcome() != Outcome.CONNECTION_REFUSED && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = new Probe(500, 500).http(HOST, server.port("http"), 10, 0);
        }
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.CONNECTION_REFUSED);
    }

    /**
     * The series the dashboards, lab/prometheus.yml's jobs and LabIT read: names, label names and types as the
     * hand-written registry exported them before the Prometheus client (counters keep their _total, histograms are
     * classic: _bucket with le, _sum, _count).
     */
    @Test
    void exportsTheSameSeriesNamesAsEver() throws Exception {
        HttpResponse<String> r = get(server.metricsPort(), "/metrics");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(get(server.metricsPort(), "/health").body()).isEqualTo("ok\n");
        assertThat(get(server.metricsPort(), "/").statusCode()).isEqualTo(404);
        String text = r.body();
        assertThat(types(text)).isEqualTo(Map.of(
                "demo_server_connections_accepted_total", "counter",
                "demo_server_connections_active", "gauge",
                "demo_server_requests_total", "counter",
                "demo_server_resets_total", "counter",
                "demo_server_half_open_total", "counter",
                "demo_server_eof_early_total", "counter",
                "demo_server_client_wait_seconds", "histogram"));
        assertThat(shapes(text)).containsExactlyInAnyOrder(
                "demo_server_connections_accepted_total{listener}",
                "demo_server_connections_active{listener}",
                "demo_server_requests_total{listener}",
                "demo_server_resets_total{listener,phase}",
                "demo_server_half_open_total{listener,phase}",
                "demo_server_eof_early_total{listener}",
                "demo_server_client_wait_seconds_bucket{le,listener,phase}",
                "demo_server_client_wait_seconds_sum{listener,phase}",
                "demo_server_client_wait_seconds_count{listener,phase}");
        // Every series exists at zero before it moves.
        assertThat(value(text, "demo_server_resets_total{listener=\"echo\",phase=\"echo\"}")).isZero();
        assertThat(value(text, "demo_server_half_open_total{listener=\"http\",phase=\"close\"}")).isZero();
        assertThat(value(text, "demo_server_client_wait_seconds_bucket{listener=\"http\",phase=\"close\",le=\"+Inf\"}"))
                .isZero();

        DemoClient client = new DemoClient(new Args("client", new String[] {
                "--http", HOST + ":" + server.port("http"), "--echo", HOST + ":" + server.port("echo"),
                "--rate", "1", "--echo-rate", "1", "--metrics-host", HOST, "--metrics-port", "0",
                "--report-every-s", "0"}, DemoClient.defaults()));
        try {
            client.start();
            r = get(client.metricsPort(), "/metrics");
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            text = r.body();
        } finally {
            client.close();
        }
        assertThat(types(text)).isEqualTo(Map.of(
                "demo_client_requests_total", "counter",
                "demo_client_request_duration_seconds", "histogram",
                "demo_client_connect_duration_seconds", "histogram",
                "demo_client_requests_skipped_total", "counter",
                "demo_client_in_flight", "gauge"));
        assertThat(shapes(text)).containsExactlyInAnyOrder(
                "demo_client_requests_total{outcome,target}",
                "demo_client_request_duration_seconds_bucket{le,outcome,target}",
                "demo_client_request_duration_seconds_sum{outcome,target}",
                "demo_client_request_duration_seconds_count{outcome,target}",
                "demo_client_connect_duration_seconds_bucket{le,target}",
                "demo_client_connect_duration_seconds_sum{target}",
                "demo_client_connect_duration_seconds_count{target}",
                "demo_client_requests_skipped_total{target}",
                "demo_client_in_flight{target}");
        for (Outcome o : Outcome.values()) {
            assertThat(value(text, "demo_client_requests_total{target=\"echo\",outcome=\"" + o.label() + "\"}"))
                    .as(o.label()).isGreaterThanOrEqualTo(0);
        }
        // The classic buckets, as before: le="1.0" for whole seconds, through le="30.0" and le="+Inf".
        for (String le : new String[] {"5.0E-4", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                "0.25", "0.5", "0.75", "1.0", "1.5", "2.0", "3.0", "5.0", "10.0", "30.0", "+Inf"}) {
            assertThat(value(text, "demo_client_connect_duration_seconds_bucket{target=\"http\",le=\"" + le + "\"}"))
                    .as(le).isGreaterThanOrEqualTo(0);
        }
        assertThat(text.lines().filter(l -> l.startsWith("demo_client_connect_duration_seconds_bucket{")
                && l.contains("target=\"http\""))).hasSize(19);
    }

    private void awaitValue(String series, double atLeast) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (value(scrape(server.metricsPort()), series) < atLeast) {
            assertThat(System.nanoTime()).as("waiting for " + series + " >= " + atLeast).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private void awaitSum(String prefix, double atLeast) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (sum(scrape(server.metricsPort()), prefix) < atLeast) {
            assertThat(System.nanoTime()).as("waiting for " + prefix + " >= " + atLeast).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    static String scrape(int port) throws Exception {
        HttpResponse<String> r = get(port, "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A series' name and labels, the labels sorted by name: the order of labels in the text means nothing. */
    private record Series(String name, Map<String, String> labels) {
        static Series parse(String name, String labels) {
            Map<String, String> map = new TreeMap<>();
            Matcher m = LABEL.matcher(labels == null ? "" : labels);
            while (m.find()) {
                map.put(m.group(1), m.group(2));
            }
            return new Series(name, map);
        }

        static Series parse(String series) {
            Matcher m = SAMPLE.matcher(series + " 0");
            assertThat(m.matches()).as(series).isTrue();
            return parse(m.group(1), m.group(2));
        }
    }

    private static Map<Series, Double> samples(String text) {
        Map<Series, Double> samples = new HashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            samples.put(Series.parse(m.group(1), m.group(2)), Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    /** The value of one series ({@code name{label="value",...}}, labels in any order), or -1 without it. */
    static double value(String text, String series) {
        return samples(text).getOrDefault(Series.parse(series), -1.0);
    }

    /** The sum of the series of this name whose labels include these ({@code name{label="value"}}). */
    static double sum(String text, String selector) {
        Series want = Series.parse(selector);
        return samples(text).entrySet().stream()
                .filter(e -> e.getKey().name().equals(want.name())
                        && e.getKey().labels().entrySet().containsAll(want.labels().entrySet()))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** Each {@code # TYPE} line: metric family to type. */
    private static Map<String, String> types(String text) {
        Map<String, String> types = new TreeMap<>();
        text.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" "))
                .forEach(p -> assertThat(types.put(p[2], p[3])).as("TYPE twice: " + Arrays.toString(p)).isNull());
        return types;
    }

    /** Each series name with its label names (sorted), values dropped: {@code name{a,b}}. */
    private static Set<String> shapes(String text) {
        Set<String> shapes = new TreeSet<>();
        samples(text).keySet().forEach(s -> shapes.add(s.name() + "{" + String.join(",", s.labels().keySet()) + "}"));
        return shapes;
    }
}
