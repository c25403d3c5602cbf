package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.server.ChaosProxyServer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** --allow-listen and --allow-upstream: requests outside get 403 naming the field and the rule, and change nothing. */
class AllowListTest {
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private ChaosProxyServer server;
    private ApiClient api;

    private void start(ApiSecurity security) {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), false,
                security.withWarnings(warnings::add));
        api = new ApiClient(server.apiAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String proxy(String name, String listen, String upstream) {
        return "{\"name\":\"" + name + "\",\"listen\":\"" + listen + "\",\"upstream\":\"" + upstream + "\"}";
    }

    private static void assertForbidden(ApiClient.Reply r, String... parts) {
        assertThat(r.status()).as(r.text()).isEqualTo(403);
        assertThat(r.json().get("status").asInt()).isEqualTo(403);
        assertThat(r.json().get("error").asText()).contains(parts);
    }

    private void limited() {
        start(ApiSecurity.defaults().withAllowListen(List.of("127.0.0.0/8", "::1/128"))
                .withAllowUpstream(List.of("127.0.0.1:5432", "10.0.0.0/8", "db.internal")));
    }

    @Test
    void aListenAddressOutsideTheRulesIsRefusedNamingTheFieldAndTheRule() {
        limited();
        assertForbidden(api.post("/proxies", proxy("a", "0.0.0.0:0", "127.0.0.1:5432")),
                "listen 0.0.0.0:0", "--allow-listen 127.0.0.0/8,::1/128");
        assertForbidden(api.post("/proxies", proxy("a", ":0", "127.0.0.1:5432")), "listen :0", "--allow-listen");
        assertForbidden(api.post("/proxies", proxy("a", "192.0.2.1:0", "127.0.0.1:5432")), "listen");
        assertThat(api.get("/proxies").json().size()).isZero();
        assertThat(api.post("/proxies", proxy("a", "127.0.0.1:0", "127.0.0.1:5432")).status()).isEqualTo(201);
        assertThat(api.post("/proxies", proxy("b", "localhost:0", "127.0.0.1:5432")).status()).isEqualTo(201);
    }

    @Test
    void anUpstreamOutsideTheRulesIsRefusedNamingTheFieldAndTheRule() {
        limited();
        for (String bad : List.of("169.254.169.254:80", "127.0.0.1:22", "[fd00::1]:443", "evil.example:80",
                "localhost:5432")) {
            assertForbidden(api.post("/proxies", proxy("a", "127.0.0.1:0", bad)), "upstream " + bad,
                    "--allow-upstream 127.0.0.1:5432,10.0.0.0/8,db.internal");
        }
        assertThat(api.get("/proxies").json().size()).isZero();
        for (String good : List.of("127.0.0.1:5432", "10.1.2.3:22", "db.internal:5432", "DB.internal:6543")) {
            ApiClient.Reply r = api.post("/proxies", proxy("p" + good.hashCode(), "127.0.0.1:0", good));
            assertThat(r.status()).as(good + ": " + r.text()).isEqualTo(201);
        }
    }

    @Test
    void anUpdateOutsideTheRulesChangesNothing() {
        limited();
        assertThat(api.post("/proxies", proxy("a", "127.0.0.1:0", "127.0.0.1:5432")).status()).isEqualTo(201);
        String before = api.get("/proxies").text();
        assertForbidden(api.post("/proxies/a", "{\"upstream\":\"169.254.169.254:80\"}"), "upstream", "--allow-upstream");
        assertForbidden(api.patch("/proxies/a", "{\"listen\":\"0.0.0.0:0\"}"), "listen", "--allow-listen");
        assertThat(api.get("/proxies").text()).isEqualTo(before);
    }

    @Test
    void populateNamesTheEntryAndCreatesNothing() {
        limited();
        ApiClient.Reply r = api.post("/populate", "[" + proxy("ok", "127.0.0.1:0", "10.0.0.1:80") + ","
                + proxy("bad", "127.0.0.1:0", "169.254.169.254:80") + "]");
        assertForbidden(r, "[1].upstream 169.254.169.254:80", "--allow-upstream");
        assertThat(api.get("/proxies").json().size()).isZero();
    }

    @Test
    void byDefaultAnythingGoesAndAProxyBeyondLoopbackIsWarnedAboutOnce() {
        start(ApiSecurity.defaults());
        assertThat(api.post("/proxies", proxy("local", "127.0.0.1:0", "169.254.169.254:80")).status()).isEqualTo(201);
        assertThat(warnings).isEmpty();
        assertThat(api.post("/proxies", proxy("open", "0.0.0.0:0", "10.0.0.1:22")).status()).isEqualTo(201);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("warning", "proxy open", "0.0.0.0:0", "loopback").doesNotContain("\n");
    }

    @Test
    void badRulesAreRejectedNamingTheFlag() {
        assertThatThrownBy(() -> ApiSecurity.defaults().withAllowListen(List.of("localhost")))
                .hasMessageContaining("--allow-listen").hasMessageContaining("localhost");
        assertThatThrownBy(() -> ApiSecurity.defaults().withAllowListen(List.of("10.0.0.0/33")))
                .hasMessageContaining("--allow-listen");
        assertThatThrownBy(() -> ApiSecurity.defaults().withAllowUpstream(List.of("http://x")))
                .hasMessageContaining("--allow-upstream");
        assertThatThrownBy(() -> ApiSecurity.defaults().withAllowUpstream(List.of("h:99999")))
                .hasMessageContaining("--allow-upstream");
        assertThatThrownBy(() -> ApiSecurity.defaults().withAllowedHosts(List.of("http://x:80")))
                .hasMessageContaining("--allowed-hosts");
    }

    @Test
    void cidrMatchingByAddressFamily() {
        AddressRules r = AddressRules.upstream(List.of("fd00::/8", "192.168.0.0/16", "::ffff:172.16.0.0/108"));
        assertThat(r.allowsUpstream(new HostPort("fd12::1", 443))).isTrue();
        assertThat(r.allowsUpstream(new HostPort("fe80::1", 443))).isFalse();
        assertThat(r.allowsUpstream(new HostPort("192.168.3.4", 80))).isTrue();
        assertThat(r.allowsUpstream(new HostPort("::ffff:192.168.3.4", 80))).isTrue();
        assertThat(r.allowsUpstream(new HostPort("172.16.9.9", 80))).isTrue();
        assertThat(r.allowsUpstream(new HostPort("192.169.0.1", 80))).isFalse();
    }
}
