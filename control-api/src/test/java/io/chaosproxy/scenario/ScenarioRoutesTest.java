package io.chaosproxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** GET /scenarios and POST /scenarios/{name}/run over real HTTP. */
class ScenarioRoutesTest {
    private static ChaosProxyServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults().withConnectTimeoutMillis(1000), false);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> call(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.apiAddress().getPort()
                + path)).timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsEveryScenarioWithItsAvailability() throws Exception {
        HttpResponse<String> r = call("GET", "/scenarios");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = Reports.mapper().readTree(r.body());
        assertThat(list).hasSize(Catalogue.all().size());
        JsonNode synLost = list.get(0);
        assertThat(synLost.get("name").asText()).isEqualTo("syn-lost-once");
        assertThat(synLost.get("needs_packet_engine").asBoolean()).isTrue();
        assertThat(synLost.get("available").asBoolean()).isFalse();
        assertThat(synLost.get("reason").asText()).contains("packet engine");
        assertThat(list.get(list.size() - 1).get("available").asBoolean()).isTrue();
    }

    @Test
    void runReturnsTheRecord() throws Exception {
        HttpResponse<String> r = call("POST", "/scenarios/upstream-refused/run");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode record = Reports.mapper().readTree(r.body());
        assertThat(record.get("status").asText()).as(r.body()).isEqualTo("as_stated");
        assertThat(record.get("client").get("message").asText()).contains("Connection reset");
        assertThat(record.get("checks")).isNotEmpty();
        assertThat(call("GET", "/proxies").body()).isEqualTo("{}");
    }

    @Test
    void packetScenariosAreUnavailableNotFailed() throws Exception {
        HttpResponse<String> r = call("POST", "/scenarios/connection-refused/run");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode record = Reports.mapper().readTree(r.body());
        assertThat(record.get("status").asText()).isEqualTo("unavailable");
        assertThat(record.get("reason").asText()).contains("packet engine");
    }

    @Test
    void unknownNamesAndWrongMethodsAreErrors() throws Exception {
        HttpResponse<String> missing = call("POST", "/scenarios/nope/run");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("no scenario named 'nope'");
        assertThat(call("GET", "/scenarios/fin-delayed/run").statusCode()).isEqualTo(405);
        assertThat(call("DELETE", "/scenarios").statusCode()).isEqualTo(405);
        assertThat(call("GET", "/scenarios/fin-delayed").statusCode()).isEqualTo(404);
    }
}
