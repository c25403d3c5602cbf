package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input of every kind gets a 400 in our own words naming what is wrong; nothing of it is half-applied. */
class ApiInputTest {
    /** Words that would mean the parser's own message reached the client. */
    static final List<String> LIBRARY_WORDS = List.of("Jackson", "jackson", "JsonReadFeature", "StreamReadConstraints",
            "Feature", "com.fasterxml", "`", "Exception", "netty", "java.");

    private ChaosProxyServer server;
    private ApiClient api;
    private int port;
    private ServerSocket upstream;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        port = server.apiAddress().getPort();
        api = new ApiClient(port);
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    static void assertError(ApiClient.Reply r, int status, String... parts) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).contains(parts);
        for (String word : LIBRARY_WORDS) {
            assertThat(r.text()).doesNotContain(word);
        }
    }

    @Test
    void malformedPercentEscapesAre400NamingThePathForEveryMethod() throws IOException {
        for (String method : List.of("GET", "POST", "PATCH", "DELETE", "PUT")) {
            for (String path : List.of("/proxies/%zz", "/%", "/version%zz", "/proxies/%E0%A4", "/proxies/a%2")) {
                ApiClient.Reply r = RawSocket.exchange(port, method, path, method.equals("GET") ? null
                        : "{}".getBytes(StandardCharsets.UTF_8));
                assertError(r, 400, path);
            }
        }
    }

    @Test
    void aPlusInAPathIsAPlusAndAnEscapedNameIsFound() throws IOException {
        createProxy("a+b c");
        assertThat(RawSocket.exchange(port, "GET", "/proxies/a+b%20c", null).status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"name\":NaN}", "{\"name\":\"x\",}", "{\"name\" \"x\"}", "{", "tru", "{\"a\":01}",
        "[1,2", "{\"a\":\"b\\q\"}", "{'a':1}", "{\"a\":Infinity}", "{\"a\":-Infinity}", "\"unterminated",
        "{\"a\":[1,}"})
    void jsonSyntaxErrorsAreInOurWordsWithLineAndColumn(String body) {
        assertError(api.post("/proxies", body), 400, "bad request body", "line 1, column");
    }

    @Test
    void nestingBeyondTheLimitIsA400InOurWords() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertError(api.post("/proxies", deep), 400, "nested too deeply");
    }

    @Test
    void invalidUtf8IsA400() throws IOException {
        byte[] body = {'{', '"', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        ApiClient.Reply r = RawSocket.exchange(port, "POST", "/proxies", body);
        assertError(r, 400, "bad request body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1:\u0661\u0662", "[::1]]:80", "[[::1]:80", "[zz::1]:80", "127.0.0.1:+80"})
    void addressesAreParsedStrictly(String address) {
        assertError(api.post("/proxies", "{\"name\":\"u\",\"upstream\":\"" + address + "\"}"), 400, "upstream");
        assertError(api.post("/proxies", "{\"name\":\"l\",\"upstream\":\"127.0.0.1:1\",\"listen\":\"" + address
                + "\"}"), 400, "listen");
        assertThat(api.get("/proxies").json().size()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e24", "18446744073709551616", "1e300", "9223372036854775808", "-1", "1.5"})
    void integersBeyondTheirBoundAreRefusedNeverClamped(String bytes) {
        createProxy("p");
        ApiClient.Reply r = api.post("/proxies/p/toxics", "{\"type\":\"limit_data\",\"attributes\":{\"bytes\":"
                + bytes + "}}");
        assertError(r, 400, "attributes.bytes");
        assertThat(r.json().get("error").asText()).doesNotContain("9223372036854775807 bytes, got 9223372036854775807");
        assertThat(api.get("/proxies/p/toxics").json().size()).isZero();
    }

    @Test
    void theLargestIntegerWithinTheBoundIsKeptExactly() {
        createProxy("p");
        ApiClient.Reply r = api.post("/proxies/p/toxics", "{\"type\":\"limit_data\",\"attributes\":{\"bytes\":"
                + Long.MAX_VALUE + "}}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("attributes").get("bytes").asLong()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void proxyAndToxicNamesAreLimited() {
        String tooLong = "n".repeat(129);
        assertError(api.post("/proxies", "{\"name\":\"" + tooLong + "\",\"upstream\":\"127.0.0.1:1\"}"), 400,
                "name", "1 to 128");
        assertError(api.post("/proxies", "{\"name\":\"a/b\",\"upstream\":\"127.0.0.1:1\"}"), 400, "name", "'/'");
        assertError(api.post("/proxies", "{\"name\":\"a\\nb\",\"upstream\":\"127.0.0.1:1\"}"), 400, "name");
        assertError(api.post("/populate", "[{\"name\":\"" + tooLong + "\",\"upstream\":\"127.0.0.1:1\"}]"), 400,
                "[0].name");
        assertThat(api.get("/proxies").json().size()).isZero();

        String longest = "n".repeat(128);
        createProxy(longest);
        assertThat(api.get("/proxies/" + longest).status()).isEqualTo(200);
        assertError(api.post("/proxies/" + longest + "/toxics", "{\"type\":\"latency\",\"name\":\"" + tooLong + "\"}"),
                400, "name");
        assertError(api.post("/proxies/" + longest + "/toxics", "{\"type\":\"latency\",\"name\":\"x/y\"}"), 400, "name");
        assertThat(api.delete("/proxies/" + longest).status()).isEqualTo(204);
    }

    private void createProxy(String name) {
        ApiClient.Reply r = api.post("/proxies", "{\"name\":\"" + name + "\",\"upstream\":\"127.0.0.1:"
                + upstream.getLocalPort() + "\"}");
        assertThat(r.status()).as(r.text()).isEqualTo(201);
    }
}
