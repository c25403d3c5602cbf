package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Our extensions of the Toxiproxy API: selectors, schedules, seeds, the connection timeline and the live feed. */
class ExtensionsApiTest {
    private ChaosProxyServer server;
    private ApiClient api;
    private ServerSocket upstream;
    private String listen;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        api = new ApiClient(server.apiAddress().getPort());
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ApiClient.Reply r = api.post("/proxies", "{\"name\":\"pg\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort()
                + "\"}");
        listen = r.json().get("listen").asText();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    private static void assertError(ApiClient.Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).contains(messagePart);
    }

    @Test
    void selectorScheduleAndSeedAreValidatedAndEchoed() {
        ApiClient.Reply r = api.post("/proxies/pg/toxics", "{\"type\":\"upstream_refuse\",\"selector\":{\"first\":2,"
                + "\"clients\":[\"127.0.0.2/32\",\"::1/128\"]},\"schedule\":{\"start_after_ms\":60000,"
                + "\"duration_ms\":1000},\"seed\":42}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode t = r.json();
        assertThat(t.get("selector").get("first").asLong()).isEqualTo(2);
        assertThat(t.get("selector").get("clients").get(1).asText()).isEqualTo("::1/128");
        assertThat(t.get("schedule").get("state").asText()).isEqualTo("pending");
        assertThat(t.get("seed").asLong()).isEqualTo(42);

        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"selector\":{\"first\":0}}"), 400,
                "selector.first");
        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"selector\":{\"clients\":[\"nope\"]}}"),
                400, "selector.clients[0]");
        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"selector\":{\"sometimes\":1}}"), 400,
                "selector.sometimes");
        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"schedule\":{\"start_after_ms\":-1}}"),
                400, "schedule.start_after_ms");
        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"seed\":1.5}"), 400, "seed");
        assertError(api.post("/proxies/pg/toxics", "{\"type\":\"fin_drop\",\"attributes\":{\"then\":\"explode\"}}"),
                400, "attributes.then must be one of [rst, fin, none]");
        assertThat(api.get("/proxies/pg/toxics").json().size()).as("failed requests changed nothing").isEqualTo(1);
    }

    @Test
    void packetToxicsAnswer422WithTheReasonWhereThePacketEngineIsOff() {
        JsonNode caps = api.get("/capabilities").json();
        assertThat(caps.get("engines").get("stream").get("available").asBoolean()).isTrue();
        assertThat(caps.get("engines").get("packet").get("available").asBoolean()).isFalse();
        String reason = caps.get("engines").get("packet").get("reason").asText();
        assertThat(reason).isNotBlank();
        List<String> packetTypes = new ArrayList<>();
        caps.get("toxics").forEach(t -> {
            if (t.get("engine").asText().equals("packet")) {
                packetTypes.add(t.get("type").asText());
                assertThat(t.get("available").asBoolean()).isFalse();
            }
        });
        assertThat(packetTypes).contains("syn_drop", "synack_delay", "ack_drop", "refuse", "upstream_syn_drop");
        ApiClient.Reply r = api.post("/proxies/pg/toxics", "{\"type\":\"syn_drop\",\"attributes\":{\"count\":2}}");
        assertError(r, 422, reason);
        assertThat(api.get("/proxies/pg/toxics").json().size()).isZero();
        assertError(api.get("/proxies/pg/capture.pcap"), 422, "packet engine");
    }

    @Test
    void toxiproxyShapedToxicsCarryNoExtensionFields() {
        JsonNode t = api.post("/proxies/pg/toxics", "{\"type\":\"latency\"}").json();
        assertThat(t.has("selector")).isFalse();
        assertThat(t.has("schedule")).isFalse();
        assertThat(t.has("seed")).isFalse();
    }

    @Test
    void connectionsListsOpenAndClosedConnectionsWithTheirEvents() throws IOException {
        try (Socket client = connect(); Socket accepted = upstream.accept()) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(accepted.getInputStream().readNBytes(5)).hasSize(5);
            JsonNode open = api.get("/proxies/pg/connections").json();
            assertThat(open.size()).isEqualTo(1);
            assertThat(open.get(0).get("state").asText()).isEqualTo("open");
            assertThat(open.get(0).get("client").asText()).startsWith("127.0.0.1:");
            assertThat(open.get(0).get("bytes").get("upstream").asLong()).isEqualTo(5);
        }
        JsonNode closed = null;
        for (int i = 0; i < 50; i++) {
            closed = api.get("/proxies/pg/connections").json();
            if (closed.get(0).get("state").asText().equals("closed")) {
                break;
            }
            sleep(50);
        }
        JsonNode c = closed.get(0);
        assertThat(c.get("state").asText()).isEqualTo("closed");
        assertThat(c.get("close_reason").asText()).isIn("client_fin", "server_fin");
        List<String> types = new ArrayList<>();
        c.get("events").forEach(e -> types.add(e.get("type").asText()));
        assertThat(types).startsWith("accepted", "dial_started", "upstream_connected").endsWith("closed");
        assertThat(c.get("events").get(2).get("duration_us").asLong()).isPositive();
        assertThat(api.get("/proxies/nope/connections").status()).isEqualTo(404);
    }

    @Test
    void eventsStreamLiveAsServerSentEvents() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.apiAddress().getPort()
                + "/events?proxy=pg")).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
            List<String> seen = new ArrayList<>();
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    seen.add(line);
                    if (line.startsWith("event: closed")) {
                        return seen;
                    }
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return seen;
        });
        sleep(200);
        try (Socket client = connect(); Socket accepted = upstream.accept()) {
            client.getOutputStream().write('x');
            assertThat(accepted.getInputStream().read()).isEqualTo('x');
        }
        List<String> seen = lines.get(10, TimeUnit.SECONDS);
        response.body().close();
        assertThat(seen).contains("event: accepted", "event: upstream_connected", "event: closed");
        assertThat(seen).anyMatch(l -> l.startsWith("data: {") && l.contains("\"proxy\":\"pg\"")
                && l.contains("\"connection\":1"));
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1))),
                2000);
        s.setSoTimeout(5000);
        return s;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
