package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The attacks a web page can make through the user's browser against the API on a loopback port, each refused
 * with 403 and changing nothing, and the same requests without browser markers (curl, clients) or from the API's
 * own origin (its console), which work.
 */
class BrowserProtectionTest {
    private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    private static final String EVIL = "http://evil.example";

    private ChaosProxyServer server;
    private ServerSocket upstream;
    private ApiClient api;
    private RawHttp raw;
    private int port;

    @BeforeEach
    void start() throws IOException {
        startWith(ApiSecurity.defaults());
    }

    private void startWith(ApiSecurity security) throws IOException {
        if (server != null) {
            server.close();
        }
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), false, security);
        port = server.apiAddress().getPort();
        api = new ApiClient(port);
        raw = new RawHttp(port);
        if (upstream == null) {
            upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }
        assertThat(api.post("/proxies", "{\"name\":\"pg\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort()
                + "\"}").status()).isEqualTo(201);
        assertThat(api.post("/proxies/pg/toxics", "{\"type\":\"latency\",\"attributes\":{\"latency\":100}}")
                .status()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    /** Everything a request could change, as the API shows it. */
    private String state() {
        ApiClient.Reply r = api.get("/proxies");
        assertThat(r.status()).isEqualTo(200);
        return r.text();
    }

    private String ownOrigin() {
        return "http://127.0.0.1:" + port;
    }

    private String createBody(String name) {
        return "{\"name\":\"" + name + "\",\"listen\":\":0\",\"upstream\":\"169.254.169.254:80\"}";
    }

    private static void assertRefused(RawHttp.Reply r, String... messageParts) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().get("status").asInt()).isEqualTo(403);
        assertThat(r.json().get("error").asText()).contains(messageParts);
        assertNoCors(r);
    }

    private static void assertNoCors(RawHttp.Reply r) {
        assertThat(r.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
    }

    @Nested
    class CrossSiteRequestForgery {
        @ParameterizedTest
        @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
        void aSimpleCrossOriginPostIsRefusedAndCreatesNothing(String contentType) {
            String before = state();
            RawHttp.Reply r = raw.request("POST", "/proxies").header("Origin", EVIL).header("User-Agent", FIREFOX)
                    .header("Sec-Fetch-Site", "cross-site").body(contentType, createBody("relay")).send();
            assertRefused(r, "Origin " + EVIL);
            assertThat(state()).isEqualTo(before);
        }

        @Test
        void theSameRequestWithoutBrowserMarkersWorks() {
            RawHttp.Reply r = raw.request("POST", "/proxies").header("User-Agent", "curl/8.5.0")
                    .body("text/plain", createBody("relay")).send();
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(api.get("/proxies").json().has("relay")).isTrue();
        }

        @Test
        void theSameRequestFromTheApisOwnOriginWorks() {
            RawHttp.Reply r = raw.request("POST", "/proxies").header("Origin", ownOrigin())
                    .header("User-Agent", FIREFOX).header("Sec-Fetch-Site", "same-origin")
                    .body("application/json", createBody("console")).send();
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            assertThat(api.get("/proxies").json().has("console")).isTrue();
        }

        @Test
        void resetDisableAndDeleteFromAnotherOriginChangeNothing() {
            String before = state();
            assertRefused(raw.request("POST", "/reset").header("Origin", EVIL).send(), EVIL);
            assertRefused(raw.request("POST", "/proxies/pg").header("Origin", EVIL)
                    .body("text/plain", "{\"enabled\":false}").send(), EVIL);
            assertRefused(raw.request("DELETE", "/proxies/pg/toxics/latency_downstream").header("Origin", EVIL)
                    .send(), EVIL);
            assertRefused(raw.request("POST", "/scenarios/connection-refused/run").header("Origin", EVIL).send(),
                    EVIL);
            assertThat(state()).isEqualTo(before);
        }

        @Test
        void anOpaqueOriginIsForeignToo() {
            assertRefused(raw.request("GET", "/proxies").header("Origin", "null").send(), "Origin null");
        }

        @Test
        void anOriginOnAnotherPortOfTheSameHostIsForeign() {
            assertRefused(raw.request("GET", "/proxies").header("Origin", "http://127.0.0.1:1").send(),
                    "http://127.0.0.1:1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"cross-site", "same-site"})
        void secFetchSiteFromAnotherSiteIsRefused(String site) {
            String before = state();
            assertRefused(raw.request("POST", "/reset").header("Sec-Fetch-Site", site).send(), site);
            assertThat(state()).isEqualTo(before);
        }

        @Test
        void everyRouteIsProtectedIncludingMetricsAndEvents() {
            assertRefused(raw.request("GET", "/metrics").header("Origin", EVIL).send(), EVIL);
            assertRefused(raw.request("GET", "/events").header("Origin", EVIL).send(), EVIL);
            assertRefused(raw.request("GET", "/events").header("User-Agent", FIREFOX).send(), "browser");
            assertRefused(raw.request("GET", "/no-such-route").header("Origin", EVIL).send(), EVIL);
        }
    }

    @Nested
    class Browsers {
        /** Toxiproxy's TestBrowserGets403: a browser's User-Agent alone is refused. */
        @Test
        void aBrowserUserAgentWithoutProofOfOurOriginGets403() {
            assertRefused(raw.request("GET", "/proxies").header("User-Agent", FIREFOX).send(), "browser");
            assertRefused(raw.request("GET", "/proxies").header("User-Agent",
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36").send(),
                    "browser");
        }

        @ParameterizedTest
        @ValueSource(strings = {"same-origin", "none"})
        void aBrowserOnOurOwnOriginOrTheAddressBarIsServed(String site) {
            RawHttp.Reply r = raw.request("GET", "/proxies").header("User-Agent", FIREFOX)
                    .header("Sec-Fetch-Site", site).send();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().has("pg")).isTrue();
        }

        @Test
        void aBrowserSendingOurOwnOriginIsServed() {
            RawHttp.Reply r = raw.request("GET", "/proxies").header("User-Agent", FIREFOX)
                    .header("Origin", ownOrigin()).send();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertNoCors(r);
        }

        @Test
        void clientsWithoutBrowserMarkersAreServed() {
            assertThat(raw.request("GET", "/proxies").header("User-Agent", "Java-http-client/17").send().status())
                    .isEqualTo(200);
            assertThat(raw.request("GET", "/proxies").send().status()).isEqualTo(200);
        }

        @Test
        void preflightsAreRefusedAndNoCorsHeaderIsEverGranted() {
            String before = state();
            RawHttp.Reply r = raw.request("OPTIONS", "/proxies").header("Origin", EVIL)
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type").send();
            assertRefused(r, "OPTIONS");
            assertRefused(raw.request("OPTIONS", "/proxies").send(), "OPTIONS");
            assertThat(state()).isEqualTo(before);
        }
    }

    @Nested
    class DnsRebinding {
        @Test
        void aForeignHostIsRefusedOnGetPostAndEvents() {
            String before = state();
            RawHttp.Reply get = raw.request("GET", "/proxies").header("Host", "evil.example:" + port).send();
            assertRefused(get, "Host \"evil.example:" + port + "\"", "--allowed-hosts");
            assertThat(get.body()).doesNotContain("pg");
            assertRefused(raw.request("POST", "/proxies").header("Host", "evil.example")
                    .body("text/plain", createBody("relay")).send(), "evil.example");
            assertRefused(raw.request("GET", "/events").header("Host", "evil.example").send(), "evil.example");
            assertRefused(raw.request("GET", "/metrics").header("Host", "evil.example").send(), "evil.example");
            assertThat(state()).isEqualTo(before);
        }

        @ParameterizedTest
        @ValueSource(strings = {"127.0.0.1", "localhost", "LOCALHOST", "[::1]", "10.1.2.3"})
        void literalAddressesAndLocalhostAreServed(String host) {
            RawHttp.Reply r = raw.request("GET", "/proxies").header("Host", host + ":" + port).send();
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            RawHttp.Reply events = raw.request("GET", "/events").header("Host", host + ":" + port).sendHeadOnly();
            assertThat(events.status()).isEqualTo(200);
        }

        @Test
        void malformedHostsAreRefused() {
            assertRefused(raw.request("GET", "/proxies").header("Host", "127.0.0.1:80x").send(), "Host");
            assertRefused(raw.request("GET", "/proxies").header("Host", "[::1").send(), "Host");
        }

        @Test
        void namesGivenWithAllowedHostsAreServed() throws IOException {
            startWith(ApiSecurity.defaults().withAllowedHosts(List.of("chaos-proxy.test.svc")));
            RawHttp.Reply ok = raw.request("GET", "/proxies").header("Host", "chaos-proxy.test.svc:" + port).send();
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            RawHttp.Reply post = raw.request("POST", "/proxies").header("Host", "chaos-proxy.test.svc")
                    .body("application/json", createBody("named")).send();
            assertThat(post.status()).as(post.body()).isEqualTo(201);
            assertRefused(raw.request("GET", "/proxies").header("Host", "evil.example").send(), "evil.example");
        }

        @Test
        void aStarAllowsAnyHostButStillNoForeignOrigin() throws IOException {
            startWith(ApiSecurity.defaults().withAllowedHosts(List.of("*")));
            assertThat(raw.request("GET", "/proxies").header("Host", "whatever.example").send().status())
                    .isEqualTo(200);
            assertRefused(raw.request("GET", "/proxies").header("Host", "whatever.example")
                    .header("Origin", EVIL).send(), EVIL);
        }
    }
}
