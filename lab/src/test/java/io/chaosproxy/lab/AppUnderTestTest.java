package io.chaosproxy.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The application under test without Docker: its HTTP calls reach an in-process demo server, its database is a
 * loopback port where nothing listens. What it exports is what the Application under test dashboard reads: HikariCP
 * timing out, HTTP calls succeeding with the circuit breaker closed, then the breaker opening once the server is gone.
 */
@Timeout(60)
class AppUnderTestTest {
    private static final String HOST = InetAddress.getLoopbackAddress().getHostAddress();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void exportsThePoolTheHttpClientAndTheCircuitBreakerReacting() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        DemoServer server = new DemoServer(new Args("server", new String[] {"--host", HOST, "--http-port", "0",
                "--echo-port", "0", "--metrics-port", "0"}, DemoServer.defaults()));
        server.start();
        AppUnderTest app = new AppUnderTest(new Args("app", new String[] {
            "--db-url", "jdbc:postgresql://" + HOST + ":" + deadPort + "/postgres", "--db-connection-timeout-ms", "300",
            "--http", HOST + ":" + server.port("http"), "--http-rate", "20", "--http-timeout-ms", "500",
            "--metrics-host", HOST, "--metrics-port", "0", "--report-every-s", "0"}, AppUnderTest.defaults()));
        try {
            app.start();
            String closed = "resilience4j_circuitbreaker_state{application=\"lab-app\",name=\"demo-server\","
                    + "state=\"closed\"}";
            awaitAtLeast(app, "hikaricp_connections_timeout_total{application=\"lab-app\",pool=\"lab-db\"}", 2);
            awaitAtLeast(app, "http_client_requests_seconds_count{application=\"lab-app\",error=\"none\","
                    + "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/\"}", 5);
            assertThat(value(scrape(app), closed)).as("breaker while the server answers").isEqualTo(1);
            assertThat(value(scrape(app), "hikaricp_connections_acquire_seconds_max{application=\"lab-app\","
                    + "pool=\"lab-db\"}")).as("acquire time up to the 300 ms connection timeout").isGreaterThan(0.25);

            server.close(); // connection refused from now on
            awaitAtLeast(app, "resilience4j_circuitbreaker_state{application=\"lab-app\",name=\"demo-server\","
                    + "state=\"open\"}", 1);
            awaitAtLeast(app, "resilience4j_circuitbreaker_not_permitted_calls_total{application=\"lab-app\","
                    + "kind=\"not_permitted\",name=\"demo-server\"}", 1);
            assertThat(scrape(app)).contains("error=\"ConnectException\"").contains("jvm_threads_live_threads{");
        } finally {
            app.close();
            server.close();
        }
    }

    private static void awaitAtLeast(AppUnderTest app, String series, double min) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        double last = Double.NaN;
        while (System.nanoTime() < deadline) {
            last = value(scrape(app), series);
            if (last >= min) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(series + " stayed at " + last + ", expected at least " + min);
    }

    private static String scrape(AppUnderTest app) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + app.metricsPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of one series, exactly as exported, or NaN when absent. */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }
}
