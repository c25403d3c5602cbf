package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assertions;

/** Every route of the control API and every error case, as a client sees them: status and body. */
class ControlApiTest {
    private ChaosProxyServer server;
    private ApiClient api;
    private ServerSocket upstream;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        api = new ApiClient(server.apiAddress().getPort());
        upstream = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    private String upstreamAddress() {
        return "127.0.0.1:" + upstream.getLocalPort();
    }

    private JsonNode createProxy(String name) {
        ApiClient.Reply r = api.post("/proxies",
                "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + upstreamAddress() + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
        return r.json();
    }

    private static void assertError(ApiClient.Reply r, int status, String messagePart) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).contains(messagePart);
        assertThat(r.text()).doesNotContain("\tat ");
    }

    @Nested
    class Proxies {
        @Test
        void createReturns201WithTheBoundAddress() {
            JsonNode p = createProxy("pg");
            assertThat(p.get("name").asText()).isEqualTo("pg");
            assertThat(p.get("listen").asText()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
            assertThat(p.get("upstream").asText()).isEqualTo(upstreamAddress());
            assertThat(p.get("enabled").asBoolean()).isTrue();
            assertThat(p.get("toxics").isArray()).isTrue();
        }

        @Test
        void createdProxyForwardsToItsUpstream() throws IOException {
            JsonNode p = createProxy("pg");
            try (Socket client = connect(p.get("listen").asText()); Socket accepted = upstream.accept()) {
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                byte[] got = accepted.getInputStream().readNBytes(4);
                assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("ping");
            }
        }

        @Test
        void listIsAnObjectKeyedByName() {
            createProxy("a");
            createProxy("b");
            JsonNode all = api.get("/proxies").json();
            assertThat(all.isObject()).isTrue();
            assertThat(all.get("a").get("name").asText()).isEqualTo("a");
            assertThat(all.get("b").get("name").asText()).isEqualTo("b");
        }

        @Test
        void createErrors() {
            assertError(api.post("/proxies", ""), 400, "bad request body");
            assertError(api.post("/proxies", "{not json"), 400, "bad request body");
            assertError(api.post("/proxies", "{\"upstream\":\"127.0.0.1:1\"}"), 400, "name");
            assertError(api.post("/proxies", "{\"name\":\"x\"}"), 400, "upstream");
            assertError(api.post("/proxies", "{\"name\":\"x\",\"upstream\":\"nohostport\"}"), 400, "upstream");
            assertError(api.post("/proxies", "{\"name\":\"x\",\"upstream\":\"h:99999\"}"), 400, "upstream");
            assertError(api.post("/proxies", "{\"name\":\"x\",\"upstream\":\"h:1\",\"enabled\":\"yes\"}"), 400,
                    "enabled");
            createProxy("dup");
            assertError(api.post("/proxies", "{\"name\":\"dup\",\"upstream\":\"h:1\"}"), 409, "already exists");
            assertThat(api.get("/proxies").json().size()).isEqualTo(1);
        }

        @Test
        void listenOnATakenAddressAnswers500WithTheOsMessage() throws IOException {
            try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                ApiClient.Reply r = api.post("/proxies", "{\"name\":\"x\",\"listen\":\"127.0.0.1:"
                        + taken.getLocalPort() + "\",\"upstream\":\"127.0.0.1:1\"}");
                assertError(r, 500, "in use");
                assertThat(api.get("/proxies").json().size()).isZero();
            }
        }

        @Test
        void keysMatchCaseInsensitivelyAndUnknownFieldsAreIgnored() {
            ApiClient.Reply r = api.post("/proxies", "{\"NAME\":\"ci\",\"Listen\":\"127.0.0.1:0\",\"UpStream\":\""
                    + upstreamAddress() + "\",\"whatever\":[1,2]}");
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.json().get("name").asText()).isEqualTo("ci");
        }

        @Test
        void getOneAnd404() {
            createProxy("pg");
            assertThat(api.get("/proxies/pg").json().get("name").asText()).isEqualTo("pg");
            assertError(api.get("/proxies/nope"), 404, "proxy not found");
        }

        @Test
        void disableRefusesNewClientsAndEnableListensAgain() throws IOException {
            JsonNode p = createProxy("pg");
            String listen = p.get("listen").asText();
            ApiClient.Reply r = api.post("/proxies/pg", "{\"enabled\":false}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("enabled").asBoolean()).isFalse();
            Assertions.assertThrows(ConnectException.class, () -> connect(listen).close());
            r = api.patch("/proxies/pg", "{\"enabled\":true}");
            assertThat(r.json().get("enabled").asBoolean()).isTrue();
            assertThat(r.json().get("listen").asText()).isEqualTo(listen);
            connect(listen).close();
        }

        @Test
        void changingListenMovesTheListener() throws IOException {
            JsonNode p = createProxy("pg");
            String oldListen = p.get("listen").asText();
            int free;
            try (ServerSocket s = new ServerSocket(0)) {
                free = s.getLocalPort();
            }
            ApiClient.Reply r = api.post("/proxies/pg", "{\"listen\":\"127.0.0.1:" + free + "\"}");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("listen").asText()).isEqualTo("127.0.0.1:" + free);
            connect("127.0.0.1:" + free).close();
            Assertions.assertThrows(ConnectException.class, () -> connect(oldListen).close());
        }

        @Test
        void aFailedListenChangeLeavesTheProxyAsItWas() throws IOException {
            JsonNode p = createProxy("pg");
            String listen = p.get("listen").asText();
            try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                ApiClient.Reply r = api.post("/proxies/pg",
                        "{\"listen\":\"127.0.0.1:" + taken.getLocalPort() + "\",\"upstream\":\"127.0.0.1:9\"}");
                assertError(r, 500, "in use");
            }
            JsonNode after = api.get("/proxies/pg").json();
            assertThat(after.get("listen").asText()).isEqualTo(listen);
            assertThat(after.get("upstream").asText()).isEqualTo(upstreamAddress());
            connect(listen).close();
        }

        @Test
        void updateErrors() {
            createProxy("pg");
            assertError(api.post("/proxies/nope", "{\"enabled\":false}"), 404, "proxy not found");
            assertError(api.post("/proxies/pg", "{\"upstream\":\"bad\"}"), 400, "upstream");
            assertError(api.post("/proxies/pg", "[1]"), 400, "bad request body");
        }

        @Test
        void deleteClosesTheListener() {
            JsonNode p = createProxy("pg");
            ApiClient.Reply r = api.delete("/proxies/pg");
            assertThat(r.status()).isEqualTo(204);
            assertThat(r.text()).isEmpty();
            assertError(api.get("/proxies/pg"), 404, "proxy not found");
            assertError(api.delete("/proxies/pg"), 404, "proxy not found");
            Assertions.assertThrows(ConnectException.class, () -> connect(p.get("listen").asText()).close());
        }
    }

    @Nested
    class Toxics {
        @Test
        void createAnswers200WithDefaultsAndEveryAttribute() {
            createProxy("pg");
            ApiClient.Reply r = api.post("/proxies/pg/toxics", "{\"type\":\"latency\"}");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            JsonNode t = r.json();
            assertThat(t.get("name").asText()).isEqualTo("latency_downstream");
            assertThat(t.get("stream").asText()).isEqualTo("downstream");
            assertThat(t.get("toxicity").asDouble()).isEqualTo(1.0);
            assertThat(t.get("attributes").get("latency").asLong()).isZero();
            assertThat(t.get("attributes").get("jitter").asLong()).isZero();
        }

        @Test
        void everyBuiltInTypeEchoesItsAttributes() {
            createProxy("pg");
            String[][] types = {{"latency", "latency", "jitter"}, {"bandwidth", "rate"}, {"slow_close", "delay"},
                {"timeout", "timeout"}, {"reset_peer", "timeout", "after_bytes"},
                {"slicer", "average_size", "size_variation", "delay"}, {"limit_data", "bytes"}, {"noop"}};
            for (String[] type : types) {
                ApiClient.Reply r = api.post("/proxies/pg/toxics",
                        "{\"type\":\"" + type[0] + "\",\"stream\":\"upstream\"}");
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                JsonNode attrs = r.json().get("attributes");
                assertThat(attrs.size()).as(type[0]).isEqualTo(type.length - 1);
                for (int i = 1; i < type.length; i++) {
                    assertThat(attrs.has(type[i])).as(type[0] + "." + type[i]).isTrue();
                }
            }
            assertThat(api.get("/proxies/pg/toxics").json().size()).isEqualTo(types.length);
            assertThat(api.get("/proxies/pg").json().get("toxics").size()).isEqualTo(types.length);
        }

        @Test
        void createErrors() {
            createProxy("pg");
            assertError(api.post("/proxies/nope/toxics", "{\"type\":\"latency\"}"), 404, "proxy not found");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"nosuch\"}"), 400, "invalid toxic type");
            assertError(api.post("/proxies/pg/toxics", "{}"), 400, "type");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"stream\":\"sideways\"}"), 400,
                    "stream");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"toxicity\":1.5}"), 400,
                    "toxicity");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"toxicity\":-0.1}"), 400,
                    "toxicity");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":-1}}"),
                    400, "attributes.latency");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":\"x\"}}"),
                    400, "attributes.latency");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"attributes\":[]}"), 400,
                    "attributes");
            assertThat(api.get("/proxies/pg/toxics").json().size()).isZero();
            api.post("/proxies/pg/toxics", "{\"type\":\"latency\"}");
            assertError(api.post("/proxies/pg/toxics", "{\"type\":\"latency\"}"), 409, "toxic already exists");
        }

        @Test
        void getUpdateAndDelete() {
            createProxy("pg");
            api.post("/proxies/pg/toxics", "{\"name\":\"slow\",\"type\":\"latency\",\"attributes\":{\"latency\":5,"
                    + "\"jitter\":1}}");
            assertThat(api.get("/proxies/pg/toxics/slow").json().get("attributes").get("latency").asLong())
                    .isEqualTo(5);
            ApiClient.Reply r = api.post("/proxies/pg/toxics/slow", "{\"attributes\":{\"latency\":50}}");
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(r.json().get("attributes").get("latency").asLong()).isEqualTo(50);
            assertThat(r.json().get("attributes").get("jitter").asLong()).as("untouched attribute kept").isEqualTo(1);
            r = api.patch("/proxies/pg/toxics/slow", "{\"toxicity\":0.5}");
            assertThat(r.json().get("toxicity").asDouble()).isEqualTo(0.5);
            assertError(api.post("/proxies/pg/toxics/slow", "{\"toxicity\":2}"), 400, "toxicity");
            assertError(api.post("/proxies/pg/toxics/slow", "{\"attributes\":{\"jitter\":-5}}"), 400,
                    "attributes.jitter");
            assertThat(api.get("/proxies/pg/toxics/slow").json().get("toxicity").asDouble())
                    .as("a failed update changes nothing").isEqualTo(0.5);
            assertError(api.get("/proxies/pg/toxics/nope"), 404, "toxic not found");
            assertError(api.post("/proxies/pg/toxics/nope", "{}"), 404, "toxic not found");
            assertThat(api.delete("/proxies/pg/toxics/slow").status()).isEqualTo(204);
            assertError(api.delete("/proxies/pg/toxics/slow"), 404, "toxic not found");
            assertError(api.get("/proxies/nope/toxics"), 404, "proxy not found");
        }
    }

    @Nested
    class ResetPopulateVersion {
        @Test
        void resetEnablesEveryProxyAndRemovesEveryToxic() {
            createProxy("a");
            createProxy("b");
            api.post("/proxies/a/toxics", "{\"type\":\"latency\"}");
            api.post("/proxies/b", "{\"enabled\":false}");
            assertThat(api.post("/reset", null).status()).isEqualTo(204);
            JsonNode all = api.get("/proxies").json();
            assertThat(all.get("a").get("toxics").size()).isZero();
            assertThat(all.get("b").get("enabled").asBoolean()).isTrue();
        }

        @Test
        void populateCreatesAllAndKeepsIdenticalProxiesUntouched() {
            createProxy("keep");
            api.post("/proxies/keep/toxics", "{\"type\":\"latency\"}");
            String keepListen = api.get("/proxies/keep").json().get("listen").asText();
            ApiClient.Reply r = api.post("/populate", "[{\"name\":\"keep\",\"listen\":\"" + keepListen
                    + "\",\"upstream\":\"" + upstreamAddress() + "\"},{\"name\":\"new\",\"listen\":\"127.0.0.1:0\","
                    + "\"upstream\":\"" + upstreamAddress() + "\"}]");
            assertThat(r.status()).as(r.text()).isEqualTo(201);
            assertThat(r.json().get("proxies").size()).isEqualTo(2);
            assertThat(api.get("/proxies/keep").json().get("toxics").size()).as("kept with its toxics").isEqualTo(1);
            assertThat(api.get("/proxies/new").status()).isEqualTo(200);
        }

        @Test
        void populateValidatesEverythingBeforeCreatingAnything() throws IOException {
            assertError(api.post("/populate", "[{\"name\":\"ok\",\"upstream\":\"127.0.0.1:1\"},"
                    + "{\"name\":\"bad\"}]"), 400, "[1].upstream");
            assertThat(api.get("/proxies").json().size()).isZero();
            try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                assertError(api.post("/populate", "[{\"name\":\"ok\",\"upstream\":\"127.0.0.1:1\"},"
                        + "{\"name\":\"clash\",\"listen\":\"127.0.0.1:" + taken.getLocalPort()
                        + "\",\"upstream\":\"127.0.0.1:1\"}]"), 500, "in use");
            }
            assertThat(api.get("/proxies").json().size()).as("nothing half-applied").isZero();
            assertError(api.post("/populate", "{\"name\":\"x\"}"), 400, "bad request body");
        }

        @Test
        void versionAnswersJson() {
            ApiClient.Reply r = api.get("/version");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.json().get("version").asText()).isNotBlank();
        }

        @Test
        void unknownRoutesAndMethods() {
            assertError(api.get("/nope"), 404, "not found");
            assertError(api.delete("/proxies"), 405, "not allowed");
            assertError(api.send("PUT", "/version", "{}"), 405, "not allowed");
        }

        @Test
        void toxicTypesListsEverySchema() {
            JsonNode types = api.get("/toxic-types").json();
            assertThat(types.size()).isGreaterThanOrEqualTo(8);
            assertThat(types.get(0).get("attributes").get(0).get("unit").asText()).isEqualTo("ms");
        }
    }

    private static Socket connect(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        Socket s = new Socket();
        s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                2000);
        return s;
    }

}
