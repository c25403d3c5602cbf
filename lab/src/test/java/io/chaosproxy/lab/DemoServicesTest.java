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
        awaitSum("demo_server_resets_total{listener=\"http\"", 1);
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
            assertThat(text).contains("demo_client_request_duration_seconds_bucket{target=\"http\",outcome=\"ok\",le=\"0.25\"}");
            assertThat(text).contains("demo_client_requests_skipped_total{target=\"http\"} 0");
        } finally {
            client.close();
        }
        // The server stopped: the next requests are refused.
        server.close();
        Probe.Result r = new Probe(500, 500).http(HOST, server.port("http"), 10, 0);
        assertThat(r.outcome()).isEqualTo(Outcome.CONNECTION_REFUSED);
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
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static double sum(String text, String prefix) {
        Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "[,}].* (\\S+)$", Pattern.MULTILINE).matcher(text);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
