package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request that fails leaves the proxies, their open connections and their metrics exactly as they were. One
 * case per route and failure; each compares GET /proxies, a connection open through a proxy (it still carries
 * bytes both ways) and the proxies' series in /metrics before and after.
 */
class ApiAtomicityTest {
    private ChaosProxyServer server;
    private ApiClient api;
    private ServerSocket upstream;
    private ServerSocket busy;
    private Socket client;
    private Socket accepted;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        api = new ApiClient(server.apiAddress().getPort());
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        // "keep": enabled, a toxic (so a chaosproxy_toxics_active gauge), one open connection that carried bytes.
        expect(api.post("/proxies", "{\"name\":\"keep\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + upstreamText()
                + "\"}"), 201);
        expect(api.post("/proxies/keep/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":1}}"), 200);
        expect(api.post("/proxies", "{\"name\":\"off\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"" + upstreamText()
                + "\",\"enabled\":false}"), 201);
        String listen = api.get("/proxies/keep").json().get("listen").asText();
        client = new Socket();
        client.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.substring(listen.lastIndexOf(':')
                + 1))), 5_000);
        client.setSoTimeout(5_000);
        accepted = upstream.accept();
        accepted.setSoTimeout(5_000);
        assertConnectionCarriesBytes();
    }

    @AfterEach
    void stop() throws IOException {
        client.close();
        accepted.close();
        server.close();
        upstream.close();
        busy.close();
    }

    static Stream<Arguments> failingRequests() {
        String ok = "\"upstream\":\"127.0.0.1:1\"";
        return Stream.of(
                Arguments.of("POST", "/proxies", "{\"name\":\"keep\"," + ok + "}", 409),
                Arguments.of("POST", "/proxies", "{\"name\":\"new\",\"listen\":\"BUSY\"," + ok + "}", 500),
                Arguments.of("POST", "/proxies", "{\"name\":\"new\"," + ok + ",\"listen\":\"127.0.0.1:x\"}", 400),
                Arguments.of("POST", "/proxies/keep", "{\"listen\":\"BUSY\"}", 500),
                Arguments.of("PATCH", "/proxies/keep", "{\"listen\":\"BUSY\",\"upstream\":\"127.0.0.1:2\"}", 500),
                Arguments.of("POST", "/proxies/keep", "{\"upstream\":\"[::1]]:80\"}", 400),
                Arguments.of("POST", "/proxies/off", "{\"listen\":\"BUSY\",\"enabled\":true}", 500),
                Arguments.of("PATCH", "/proxies/off", "{\"listen\":\"BUSY\",\"enabled\":true}", 500),
                Arguments.of("POST", "/populate", "[{\"name\":\"keep\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"UP\"},"
                        + "{\"name\":\"second\",\"listen\":\"BUSY\"," + ok + "}]", 500),
                Arguments.of("POST", "/populate", "[{\"name\":\"keep\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"UP\","
                        + "\"toxics\":[{\"type\":\"nope\"}]}]", 400),
                Arguments.of("POST", "/populate", "[{\"name\":\"keep\",\"upstream\":\"UP\"},{\"name\":\"a/b\"," + ok
                        + "}]", 400),
                Arguments.of("POST", "/proxies/keep/toxics", "{\"type\":\"nope\"}", 400),
                Arguments.of("POST", "/proxies/keep/toxics", "{\"type\":\"latency\"}", 409),
                Arguments.of("POST", "/proxies/keep/toxics", "{\"type\":\"limit_data\",\"attributes\":{\"bytes\":1e24}}",
                        400),
                Arguments.of("POST", "/proxies/keep/toxics/latency_downstream", "{\"attributes\":{\"latency\":-1}}",
                        400),
                Arguments.of("PATCH", "/proxies/keep/toxics/latency_downstream", "{\"toxicity\":2}", 400),
                Arguments.of("DELETE", "/proxies/nope", null, 404),
                Arguments.of("DELETE", "/proxies/keep/toxics/nope", null, 404),
                Arguments.of("POST", "/proxies/keep", "{\"listen\":", 400));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("failingRequests")
    void aFailingRequestChangesNothing(String method, String path, String body, int status) throws IOException {
        String proxiesBefore = api.get("/proxies").text();
        List<String> metricsBefore = proxySeries();
        String sent = body == null ? null : body.replace("BUSY", "127.0.0.1:" + busy.getLocalPort())
                .replace("UP", upstreamText());
        ApiClient.Reply r = api.send(method, path, sent);
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().get("status").asInt()).isEqualTo(status);
        assertThat(api.get("/proxies").text()).isEqualTo(proxiesBefore);
        assertConnectionCarriesBytes();
        assertThat(proxySeries()).isEqualTo(metricsBefore);
    }

    /**
     * Every series of the proxies (name and labels), and the values of the gauges and counters a failed request
     * could move: open connections, accepted and closed connections, active toxics. TCP_INFO samples, byte counts
     * (this test's own traffic) and the allocator move by themselves and are left out.
     */
    private List<String> proxySeries() {
        return api.get("/metrics").text().lines()
                .filter(l -> l.startsWith("chaosproxy_") && l.contains("proxy=\""))
                .filter(l -> !l.startsWith("chaosproxy_tcp_") && !l.startsWith("chaosproxy_api_"))
                .map(l -> l.startsWith("chaosproxy_toxics_active") || l.startsWith("chaosproxy_connections_")
                        ? l : l.substring(0, l.lastIndexOf(' ')))
                .sorted().collect(Collectors.toList());
    }

    private void assertConnectionCarriesBytes() throws IOException {
        client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(accepted.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
        accepted.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(client.getInputStream().readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
    }

    private String upstreamText() {
        return "127.0.0.1:" + upstream.getLocalPort();
    }

    private static void expect(ApiClient.Reply r, int status) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
    }
}
