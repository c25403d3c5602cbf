package io.chaosproxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.api.ApiException;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A scenario run over the API takes seconds on its own executor; the control thread keeps answering meanwhile. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScenarioRunsTest {
    /** upstream-blackholed lasts about this (the proxy's dial timeout) plus filling the black hole's queue. */
    private static final int DIAL_TIMEOUT_MILLIS = 1700;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private ChaosProxyServer server;
    private ServerSocket upstream;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0,
                EngineConfig.defaults().withConnectTimeoutMillis(DIAL_TIMEOUT_MILLIS), false);
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    @Test
    void otherCallsAnswerPromptlyWhileAScenarioRuns() throws Exception {
        assertThat(call("POST", "/proxies", "{\"name\":\"other\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort()
                + "\"}").statusCode()).isEqualTo(201);
        // Warm up both calls (JIT, connection pool) so the timing below measures waiting, not a first call's cost.
        for (int i = 0; i < 20; i++) {
            call("GET", "/version", null);
            call("POST", "/proxies/other/toxics", "{\"name\":\"warm\",\"type\":\"latency\"}");
            call("DELETE", "/proxies/other/toxics/warm", null);
        }

        long runStart = System.nanoTime();
        CompletableFuture<HttpResponse<String>> run = http.sendAsync(request("POST",
                "/scenarios/upstream-blackholed/run", null), HttpResponse.BodyHandlers.ofString());
        awaitScenarioProxy();

        long t0 = System.nanoTime();
        HttpResponse<String> version = call("GET", "/version", null);
        long t1 = System.nanoTime();
        HttpResponse<String> toxic = call("POST", "/proxies/other/toxics", "{\"type\":\"latency\"}");
        long t2 = System.nanoTime();
        boolean runStillGoing = !run.isDone();

        HttpResponse<String> record = run.get(30, TimeUnit.SECONDS);
        long runMillis = (System.nanoTime() - runStart) / 1_000_000;
        double versionMillis = (t1 - t0) / 1e6;
        double toxicMillis = (t2 - t1) / 1e6;
        System.out.printf("during a %d ms scenario run: GET /version %.1f ms, POST toxic %.1f ms%n", runMillis,
                versionMillis, toxicMillis);

        assertThat(runStillGoing).as("the calls were measured while the scenario ran").isTrue();
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(toxic.statusCode()).as(toxic.body()).isEqualTo(200);
        assertThat(versionMillis).isLessThan(100);
        assertThat(toxicMillis).isLessThan(100);
        assertThat(runMillis).isGreaterThanOrEqualTo(DIAL_TIMEOUT_MILLIS);
        assertThat(record.statusCode()).isEqualTo(200);
        assertThat(record.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode json = Reports.mapper().readTree(record.body());
        assertThat(json.get("name").asText()).isEqualTo("upstream-blackholed");
        assertThat(json.get("status").asText()).as(record.body()).isEqualTo(ScenarioRecord.AS_STATED);
        assertThat(json.get("checks")).isNotEmpty();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstAnswersLater() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.apiAddress().getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /scenarios/upstream-refused/run HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 0\r\n\r\nGET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String first = readResponse(s.getInputStream());
            String second = readResponse(s.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 200").contains("\"upstream-refused\"", "\"checks\"");
            assertThat(second).startsWith("HTTP/1.1 200").contains("{\"version\":");
        }
    }

    @Test
    void aFullLineIsRefusedWith503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScenarioRuns runs = new ScenarioRuns(1)) {
            CompletableFuture<String> running = runs.submit(() -> await(release));
            CompletableFuture<String> waiting = runs.submit(() -> "second");
            assertThatThrownBy(() -> runs.submit(() -> "third")).isInstanceOfSatisfying(ApiException.class,
                    e -> {
                        assertThat(e.status()).isEqualTo(503);
                        assertThat(e.getMessage()).contains("busy");
                    });
            release.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo("second");
        }
    }

    /** Waits until the run has created its own proxy beside "other": it is under way. */
    private void awaitScenarioProxy() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (server.registry().all().size() > 1) {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("the scenario never created its proxy");
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return http.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.apiAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "first";
    }

    /** One HTTP/1.1 response with a Content-Length, head and body, as text. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed inside a response head: " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
