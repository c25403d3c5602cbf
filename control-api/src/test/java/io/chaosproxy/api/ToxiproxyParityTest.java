package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where Toxiproxy 2.12's own API tests and toxiproxy-cli saw us differ: headers, toxic order, a trailing slash. */
class ToxiproxyParityTest {
    private ChaosProxyServer server;
    private RawHttp raw;
    private ApiClient api;

    @BeforeEach
    void start() {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        raw = new RawHttp(server.apiAddress().getPort());
        api = new ApiClient(server.apiAddress().getPort());
        assertThat(api.post("/proxies", "{\"name\":\"p\",\"upstream\":\"127.0.0.1:9\"}").status()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyAnswerCarriesARequestIdOfItsOwn() {
        List<RawHttp.Reply> replies = List.of(
                raw.request("GET", "/version").send(),
                raw.request("POST", "/proxies").body("application/json", "{\"name\":\"q\",\"upstream\":\"h:1\"}").send(),
                raw.request("DELETE", "/proxies/q").send(),
                raw.request("GET", "/proxies/none").send(),
                raw.request("PUT", "/proxies").send(),
                raw.request("POST", "/proxies").body("application/json", "{not json").send(),
                raw.request("GET", "/proxies").header("Origin", "http://evil.example").send(),
                raw.request("GET", "/metrics").send(),
                raw.request("GET", "/events").sendHeadOnly());
        Set<String> ids = new HashSet<>();
        for (RawHttp.Reply r : replies) {
            String id = r.header("X-Toxiproxy-Request-Id");
            assertThat(id).as("status " + r.status()).matches("[0-9a-v]{20}");
            ids.add(id);
        }
        assertThat(ids).hasSameSizeAs(replies);
        assertThat(replies.stream().map(RawHttp.Reply::status).toList())
                .containsExactly(200, 201, 204, 404, 405, 400, 403, 200, 200);
    }

    @Test
    void jsonAnswersNameTheirCharset() {
        for (RawHttp.Reply r : List.of(raw.request("GET", "/proxies").send(), raw.request("GET", "/version").send(),
                raw.request("GET", "/proxies/none").send())) {
            assertThat(r.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        }
    }

    @Test
    void toxicsAreListedUpstreamFirstThenDownstreamEachInCreationOrder() {
        for (String[] t : new String[][] {{"d1", "downstream"}, {"u1", "upstream"}, {"d2", "downstream"},
            {"u2", "upstream"}, {"d3", "downstream"}}) {
            assertThat(api.post("/proxies/p/toxics", "{\"name\":\"" + t[0] + "\",\"type\":\"latency\",\"stream\":\""
                    + t[1] + "\",\"attributes\":{\"latency\":1}}").status()).isEqualTo(200);
        }
        assertThat(api.post("/proxies/p/toxics/d1", "{\"attributes\":{\"latency\":5}}").status()).isEqualTo(200);
        List<String> expected = List.of("u1", "u2", "d1", "d2", "d3");
        assertThat(names(api.get("/proxies/p/toxics").json())).isEqualTo(expected);
        assertThat(names(api.get("/proxies/p").json().get("toxics"))).isEqualTo(expected);
        assertThat(names(api.get("/proxies").json().get("p").get("toxics"))).isEqualTo(expected);
    }

    private static List<String> names(JsonNode toxics) {
        List<String> out = new ArrayList<>();
        toxics.forEach(t -> out.add(t.get("name").asText()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PATCH", "DELETE", "PUT"})
    void toxicsWithATrailingSlashIsNotFound(String method) {
        RawHttp.Reply r = raw.request(method, "/proxies/p/toxics/")
                .body("application/json", "{\"type\":\"latency\",\"attributes\":{\"latency\":1}}").send();
        assertThat(r.status()).as(r.body()).isEqualTo(404);
        assertThat(r.json().get("error").asText()).contains("/proxies/p/toxics/");
        assertThat(api.get("/proxies/p/toxics").json().size()).isZero();
        assertThat(api.get("/proxies/p/toxics").status()).isEqualTo(200);
    }
}
