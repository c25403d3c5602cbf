package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import io.chaosproxy.testing.TlsCertificates;
import io.chaosproxy.testing.TlsEchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The TLS phase over the API: types, validation, tls_aware, the timeline's TLS events and the TLS metrics. */
class TlsApiTest {
    private ChaosProxyServer server;
    private ApiClient api;
    private TlsEchoServer tls;

    @BeforeEach
    void start() {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        api = new ApiClient(server.apiAddress().getPort());
        tls = new TlsEchoServer(TlsCertificates.get().serverContext());
    }

    @AfterEach
    void stop() {
        server.close();
        tls.close();
    }

    private static void assertError(ApiClient.Reply r, int status, String message) {
        assertThat(r.status()).as(r.text()).isEqualTo(status);
        assertThat(r.json().get("error").asText()).isEqualTo(message);
    }

    @Test
    void theTlsTypesAreListedInPhaseTlsAndValidatedInOurWords() {
        List<String> tlsTypes = new ArrayList<>();
        for (JsonNode t : api.get("/toxic-types").json()) {
            if (t.get("phase").asText().equals("tls")) {
                tlsTypes.add(t.get("type").asText());
                assertThat(t.get("engine").asText()).isEqualTo("stream");
            }
        }
        assertThat(tlsTypes).containsExactly("tls_hello_stall", "tls_reset_after", "tls_cut_flight",
                "tls_handshake_delay", "tls_close_after_handshake");
        api.post("/proxies", "{\"name\":\"tls\",\"upstream\":\"127.0.0.1:" + tls.port() + "\"}");
        assertError(api.post("/proxies/tls/toxics", "{\"type\":\"tls_reset_after\",\"attributes\":{\"step\":\"later\"}}"),
                400, "attributes.step must be one of [client_hello, server_hello, server_flight]");
        assertError(api.post("/proxies/tls/toxics", "{\"type\":\"tls_cut_flight\",\"attributes\":{\"bytes\":-1}}"),
                400, "attributes.bytes must be between 0 and 1048576 bytes, got -1");
        assertError(api.post("/proxies/tls/toxics", "{\"type\":\"latency\",\"selector\":{\"sni\":[\"db.example.com\"]}}"),
                400, "selector.sni needs a TLS toxic (phase tls): only they see the ClientHello's server name; "
                        + "latency acts in phase established");
        assertError(api.post("/proxies/tls/toxics", "{\"type\":\"tls_hello_stall\",\"selector\":{\"sni\":[\"a b\"]}}"),
                400, "selector.sni[0] must be a server name such as db.example.com or a pattern such as "
                        + "*.example.com");
        assertError(api.post("/proxies", "{\"name\":\"x\",\"upstream\":\"127.0.0.1:1\",\"tls_aware\":\"yes\"}"),
                400, "tls_aware must be true or false");
        assertThat(api.get("/proxies/tls/toxics").json().size()).as("failed requests changed nothing").isZero();
        ApiClient.Reply ok = api.post("/proxies/tls/toxics", "{\"type\":\"tls_hello_stall\",\"stream\":\"upstream\","
                + "\"selector\":{\"sni\":[\"*.Example.com\"]}}");
        assertThat(ok.status()).as(ok.text()).isEqualTo(200);
        assertThat(ok.json().get("attributes").get("duration").asLong()).isZero();
        assertThat(ok.json().get("selector").get("sni").get(0).asText()).isEqualTo("*.example.com");
    }

    @Test
    void aTlsAwareProxyShowsTheHandshakeInTheTimelineAndTheMetrics() throws IOException {
        ApiClient.Reply created = api.post("/proxies", "{\"name\":\"tls\",\"upstream\":\"127.0.0.1:" + tls.port()
                + "\",\"tls_aware\":true}");
        assertThat(created.json().get("tls_aware").asBoolean()).isTrue();
        assertThat(api.post("/proxies", "{\"name\":\"plain\",\"upstream\":\"127.0.0.1:1\"}").json().has("tls_aware"))
                .as("shown only when set").isFalse();
        String listen = created.json().get("listen").asText();
        int port = Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            plain.setSoTimeout(5000);
            SSLSocket s = (SSLSocket) TlsCertificates.get().clientContext("TLSv1.3").getSocketFactory()
                    .createSocket(plain, "localhost", port, true);
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName("db.example.com")));
            params.setApplicationProtocols(new String[] {"postgresql"});
            s.setSSLParameters(params);
            s.startHandshake();
            s.getOutputStream().write('x');
            s.getOutputStream().flush();
            assertThat(s.getInputStream().read()).isEqualTo('x');
            s.close();
        }
        Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> eventOf("tls_handshake_done") != null);
        JsonNode hello = eventOf("tls_client_hello");
        assertThat(hello.get("leg").asText()).isEqualTo("client");
        assertThat(hello.get("sni").asText()).isEqualTo("db.example.com");
        assertThat(hello.get("versions").get(0).asText()).isEqualTo("TLSv1.3");
        assertThat(hello.get("alpn").get(0).asText()).isEqualTo("postgresql");
        assertThat(hello.get("detail").asText()).startsWith("sni=db.example.com versions=TLSv1.3");
        assertThat(eventOf("tls_server_hello").get("version").asText()).isEqualTo("TLSv1.3");
        JsonNode done = eventOf("tls_handshake_done");
        assertThat(done.get("version").asText()).isEqualTo("TLSv1.3");
        assertThat(done.get("duration_us").asLong()).isPositive();
        String metrics = api.get("/metrics").text();
        assertThat(metrics).contains("chaosproxy_tls_handshake_seconds_count{proxy=\"tls\"} 1");
        assertThat(metrics).contains("chaosproxy_tls_versions_total{proxy=\"tls\",version=\"TLSv1.3\"} 1.0");
    }

    private JsonNode eventOf(String type) {
        for (JsonNode c : api.get("/proxies/tls/connections").json()) {
            for (JsonNode e : c.get("events")) {
                if (e.get("type").asText().equals(type)) {
                    return e;
                }
            }
        }
        return null;
    }
}
