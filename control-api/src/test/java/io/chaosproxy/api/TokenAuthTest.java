package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The optional API token: every route needs it once set (401 with a challenge), /metrics only if asked. */
class TokenAuthTest {
    private static final String TOKEN = "s3cret-Token_42";
    private static final String CREATE = "{\"name\":\"p\",\"upstream\":\"127.0.0.1:9\"}";
    private ChaosProxyServer server;
    private RawHttp raw;

    private void start(ApiSecurity security) {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), false, security);
        raw = new RawHttp(server.apiAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void assertUnauthorized(RawHttp.Reply r, String messagePart) {
        assertThat(r.status()).as(r.body()).isEqualTo(401);
        assertThat(r.json().get("status").asInt()).isEqualTo(401);
        assertThat(r.json().get("error").asText()).contains(messagePart);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer realm=\"chaos-proxy\"");
        assertThat(r.body()).doesNotContain(TOKEN);
    }

    @Test
    void withoutATokenConfiguredNothingIsAsked() {
        start(ApiSecurity.defaults());
        assertThat(raw.request("GET", "/proxies").send().status()).isEqualTo(200);
        assertThat(raw.request("GET", "/proxies").header("Authorization", "Bearer anything").send().status())
                .isEqualTo(200);
    }

    @Test
    void missingWrongAndRightToken() {
        start(ApiSecurity.defaults().withApiToken(TOKEN));
        assertUnauthorized(raw.request("GET", "/proxies").send(), "Authorization: Bearer");
        RawHttp.Reply wrong = raw.request("GET", "/proxies").header("Authorization", "Bearer not-it").send();
        assertUnauthorized(wrong, "wrong API token");
        assertThat(wrong.header("WWW-Authenticate")).contains("invalid_token");
        assertUnauthorized(raw.request("GET", "/proxies").header("Authorization", "Bearer " + TOKEN + "x").send(),
                "wrong API token");
        assertUnauthorized(raw.request("GET", "/proxies").header("Authorization", "Basic " + TOKEN).send(),
                "Authorization: Bearer");
        assertThat(raw.request("GET", "/proxies").header("Authorization", "Bearer " + TOKEN).send().status())
                .isEqualTo(200);
        assertThat(raw.request("GET", "/proxies").header("Authorization", "bearer " + TOKEN).send().status())
                .as("the scheme is case-insensitive").isEqualTo(200);
    }

    @Test
    void aRefusedChangeChangesNothingAndTheRightTokenMakesIt() {
        start(ApiSecurity.defaults().withApiToken(TOKEN));
        assertUnauthorized(raw.request("POST", "/proxies").body("application/json", CREATE).send(), "Bearer");
        assertUnauthorized(raw.request("POST", "/proxies").header("Authorization", "Bearer nope")
                .body("application/json", CREATE).send(), "wrong");
        String auth = "Bearer " + TOKEN;
        assertThat(raw.request("GET", "/proxies").header("Authorization", auth).send().body()).isEqualTo("{}");
        assertThat(raw.request("POST", "/proxies").header("Authorization", auth).body("application/json", CREATE)
                .send().status()).isEqualTo(201);
        assertThat(raw.request("GET", "/proxies").header("Authorization", auth).send().json().has("p")).isTrue();
    }

    @Test
    void everyRouteNeedsItIncludingEventsAndMetrics() {
        start(ApiSecurity.defaults().withApiToken(TOKEN));
        assertUnauthorized(raw.request("GET", "/events").send(), "Bearer");
        assertUnauthorized(raw.request("GET", "/metrics").send(), "Bearer");
        assertUnauthorized(raw.request("GET", "/version").send(), "Bearer");
        assertUnauthorized(raw.request("POST", "/reset").send(), "Bearer");
        assertThat(raw.request("GET", "/events").header("Authorization", "Bearer " + TOKEN).sendHeadOnly().status())
                .isEqualTo(200);
        assertThat(raw.request("GET", "/metrics").header("Authorization", "Bearer " + TOKEN).send().status())
                .isEqualTo(200);
    }

    @Test
    void metricsWithoutTokenOpensMetricsOnly() {
        start(ApiSecurity.defaults().withApiToken(TOKEN).withMetricsWithoutToken(true));
        RawHttp.Reply metrics = raw.request("GET", "/metrics").send();
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("chaosproxy_buffers_direct_bytes");
        assertThat(raw.request("GET", "/metrics?x=1").send().status()).isEqualTo(200);
        assertUnauthorized(raw.request("GET", "/proxies").send(), "Bearer");
        assertUnauthorized(raw.request("GET", "/events").send(), "Bearer");
        // The browser protection still holds on the open route.
        assertThat(raw.request("GET", "/metrics").header("Origin", "http://evil.example").send().status())
                .isEqualTo(403);
    }

    @Test
    void theTokenNeverAppearsInTheSettingsText() {
        assertThat(ApiSecurity.defaults().withApiToken(TOKEN).toString()).doesNotContain(TOKEN).contains("token on");
    }
}
