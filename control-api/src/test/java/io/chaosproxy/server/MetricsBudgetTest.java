package io.chaosproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Metrics with a budget: a proxy used by one connection (with a toxic) costs at most 80 series, and deleting the
 * proxy removes every one of them from {@code /metrics}.
 */
class MetricsBudgetTest {
    private static final int SERIES_BUDGET = 80;

    private final HttpClient http = HttpClient.newHttpClient();
    private ChaosProxyServer server;
    private ServerSocket upstream;
    private Thread echo;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echo = new Thread(this::echoEach, "echo-upstream");
        echo.setDaemon(true);
        echo.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    @Test
    void aUsedProxyStaysWithinTheSeriesBudgetAndLeavesNoSeriesWhenDeleted() throws Exception {
        for (String name : new String[] {"budget-a", "budget-b"}) {
            int port = createProxy(name);
            assertThat(send(name, "POST", "/proxies/" + name + "/toxics",
                    "{\"name\":\"slow\",\"type\":\"latency\",\"attributes\":{\"latency\":1}}").statusCode())
                    .isEqualTo(200);
            oneEchoedConnection(port);
        }
        String before = awaitMetricsWith("chaosproxy_connection_duration_seconds_count{proxy=\"budget-a\"} 1");
        awaitMetricsWith("chaosproxy_connection_duration_seconds_count{proxy=\"budget-b\"} 1");
        long series = seriesOf(before, "budget-a");
        System.out.println("series of one proxy after one connection: " + series + " " + seriesByName(before, "budget-a"));
        assertThat(series).isBetween(20L, (long) SERIES_BUDGET);

        assertThat(send("budget-a", "DELETE", "/proxies/budget-a", null).statusCode()).isEqualTo(204);
        String after = get("/metrics");
        assertThat(after).doesNotContain("proxy=\"budget-a\"");
        assertThat(seriesOf(after, "budget-b")).isEqualTo(seriesOf(before, "budget-b"));

        // A proxy created again under the deleted one's name counts from zero, on meters that /metrics shows.
        int port = createProxy("budget-a");
        oneEchoedConnection(port);
        awaitMetricsWith("chaosproxy_connections_accepted_total{proxy=\"budget-a\"} 1.0");
    }

    private int createProxy(String name) throws Exception {
        HttpResponse<String> r = send(name, "POST", "/proxies", "{\"name\":\"" + name
                + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort() + "\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        String listen = server.registry().get(name).listenText();
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    private static void oneEchoedConnection(int port) throws IOException {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            c.setSoTimeout(5000);
            c.getOutputStream().write("hello".getBytes());
            assertThat(c.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            c.shutdownOutput();
            assertThat(c.getInputStream().read()).isEqualTo(-1);
        }
    }

    /** Series lines (not comments) that carry the proxy's label. */
    private static long seriesOf(String metrics, String proxy) {
        String label = "proxy=\"" + proxy + "\"";
        return metrics.lines().filter(l -> !l.startsWith("#") && l.contains(label)).count();
    }

    private static java.util.Map<String, Long> seriesByName(String metrics, String proxy) {
        String label = "proxy=\"" + proxy + "\"";
        return metrics.lines().filter(l -> !l.startsWith("#") && l.contains(label))
                .map(l -> l.substring(0, l.indexOf('{')).replaceAll("_(bucket|count|sum|max)$", ""))
                .collect(java.util.stream.Collectors.groupingBy(n -> n, java.util.TreeMap::new,
                        java.util.stream.Collectors.counting()));
    }

    private void echoEach() {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException closed) {
                // the test ended or the client went away: take the next one
            }
        }
    }

    private String awaitMetricsWith(String line) throws Exception {
        String body = "";
        for (int i = 0; i < 50; i++) {
            body = get("/metrics");
            if (body.contains(line)) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("metrics never showed " + line + ":\n" + body);
    }

    private String get(String path) throws Exception {
        return send(null, "GET", path, null).body();
    }

    private HttpResponse<String> send(String unused, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.apiAddress().getPort() + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
