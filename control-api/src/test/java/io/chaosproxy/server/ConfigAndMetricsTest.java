package io.chaosproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.config.ConfigLoader;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.Proxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files at start (Toxiproxy's format, plus toxics) and what GET /metrics shows after real traffic. */
class ConfigAndMetricsTest {
    private ChaosProxyServer server;
    private ServerSocket upstream;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        upstream.close();
    }

    @Test
    void toxiproxyConfigFormatWithToxicsIsLoaded(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("c.json");
        Files.writeString(config, "[{\"name\":\"a\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:"
                + upstream.getLocalPort() + "\"},{\"name\":\"b\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"x:1\","
                + "\"enabled\":false,\"toxics\":[{\"type\":\"latency\",\"attributes\":{\"latency\":100}}]}]");
        assertThat(ConfigLoader.load(config, server.registry())).isEqualTo(2);
        assertThat(server.registry().get("a").enabled()).isTrue();
        Proxy b = server.registry().get("b");
        assertThat(b.enabled()).isFalse();
        assertThat(b.toxicsSnapshot()).singleElement()
                .satisfies(t -> assertThat(t.attributes().getLong("latency")).isEqualTo(100));
    }

    @Test
    void aBadToxicInTheConfigAppliesNothing(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("c.json");
        Files.writeString(config, "[{\"name\":\"a\",\"upstream\":\"127.0.0.1:1\",\"toxics\":"
                + "[{\"type\":\"latency\",\"attributes\":{\"latency\":-5}}]}]");
        assertThatThrownBy(() -> ConfigLoader.load(config, server.registry()))
                .hasMessageContaining("attributes.latency");
        assertThat(server.registry().all()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.json"), server.registry()))
                .hasMessageContaining("no such file");
        Files.writeString(config, "{oops");
        assertThatThrownBy(() -> ConfigLoader.load(config, server.registry())).hasMessageContaining("not valid JSON");
    }

    @Test
    void metricsEndpointCountsConnectionsBytesAndCloseReasons() throws Exception {
        Proxy ok = server.registry().create(new io.chaosproxy.engine.ProxySpec("ok",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", upstream.getLocalPort()), true));
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        Proxy refused = server.registry().create(new io.chaosproxy.engine.ProxySpec("refused",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", deadPort), true));

        try (Socket c = connect(ok); Socket s = upstream.accept()) {
            c.getOutputStream().write(new byte[1000]);
            assertThat(s.getInputStream().readNBytes(1000)).hasSize(1000);
            s.getOutputStream().write(new byte[300]);
            assertThat(c.getInputStream().readNBytes(300)).hasSize(300);
            c.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        // The reset can come before the client's first read; either way the client sees a reset, never EOF.
        assertThatThrownBy(() -> {
            try (Socket c = connect(refused); InputStream in = c.getInputStream()) {
                in.read();
            }
        }).hasMessageContaining("reset");
        String metrics = awaitMetrics("chaosproxy_connections_closed_total{proxy=\"refused\",reason=\"upstream_refused\"} 1.0");
        assertThat(metrics)
                .contains("chaosproxy_connections_accepted_total{proxy=\"ok\"} 1.0")
                .contains("chaosproxy_bytes_total{direction=\"upstream\",proxy=\"ok\"} 1000.0")
                .contains("chaosproxy_bytes_total{direction=\"downstream\",proxy=\"ok\"} 300.0")
                .contains("chaosproxy_connections_closed_total{proxy=\"ok\",reason=\"client_fin\"} 1.0")
                .contains("chaosproxy_upstream_connect_seconds_count{outcome=\"refused\",proxy=\"refused\"} 1")
                .contains("chaosproxy_upstream_connect_seconds_bucket{outcome=\"connected\",proxy=\"ok\",le=\"+Inf\"} 1")
                .contains("chaosproxy_connections_active{proxy=\"ok\"} 0.0")
                .contains("chaosproxy_connection_duration_seconds_count{proxy=\"ok\"} 1")
                .contains("chaosproxy_connection_bytes_sum{direction=\"upstream\",proxy=\"ok\"} 1000.0")
                .contains("chaosproxy_first_byte_seconds_count{leg=\"server\",proxy=\"ok\"} 1")
                .contains("jvm_memory_used_bytes")
                .contains("process_cpu_usage");
        // The JVM's running allocation total (the benchmark's bytes per connection): present and not zero.
        java.util.regex.Matcher allocated = java.util.regex.Pattern
                .compile("(?m)^chaosproxy_jvm_allocated_bytes_total ([0-9.E+]+)$").matcher(metrics);
        assertThat(allocated.find()).as("chaosproxy_jvm_allocated_bytes_total in %s", metrics).isTrue();
        assertThat(Double.parseDouble(allocated.group(1))).isGreaterThan(0);
    }

    @Test
    void tcpInfoOfBothLegsIsSampledAtClose() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                server.engine().transport().kind() != io.chaosproxy.engine.TransportKind.NIO,
                "TCP_INFO needs a native transport (io_uring or epoll)");
        Proxy ok = server.registry().create(new io.chaosproxy.engine.ProxySpec("ok",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", upstream.getLocalPort()), true));
        try (Socket c = connect(ok); Socket s = upstream.accept()) {
            c.getOutputStream().write(new byte[100]);
            assertThat(s.getInputStream().readNBytes(100)).hasSize(100);
        }
        String metrics = awaitMetrics("chaosproxy_tcp_rtt_seconds_count{leg=\"server\",proxy=\"ok\"} 1");
        assertThat(metrics).contains("chaosproxy_tcp_rtt_seconds_count{leg=\"client\",proxy=\"ok\"} 1")
                .contains("chaosproxy_tcp_cwnd_segments_count{leg=\"client\",proxy=\"ok\"} 1");
    }

    @Test
    void theClosingTcpInfoSampleIsTakenOnOneConnectionInN() throws Exception {
        server.close();
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults().withTcpInfoSampleEvery(4));
        org.junit.jupiter.api.Assumptions.assumeTrue(
                server.engine().transport().kind() != io.chaosproxy.engine.TransportKind.NIO,
                "TCP_INFO needs a native transport (io_uring or epoll)");
        Proxy ok = server.registry().create(new io.chaosproxy.engine.ProxySpec("ok",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", upstream.getLocalPort()), true));
        for (int i = 0; i < 6; i++) {
            try (Socket c = connect(ok); Socket s = upstream.accept()) {
                c.getOutputStream().write(new byte[100]);
                assertThat(s.getInputStream().readNBytes(100)).hasSize(100);
            }
        }
        // Connections 1 and 5 of the six are sampled; every one is still counted and timed.
        String metrics = awaitMetrics("chaosproxy_connection_duration_seconds_count{proxy=\"ok\"} 6");
        assertThat(metrics).contains("chaosproxy_tcp_rtt_seconds_count{leg=\"client\",proxy=\"ok\"} 2")
                .contains("chaosproxy_tcp_rtt_seconds_count{leg=\"server\",proxy=\"ok\"} 2");
        HttpResponse<String> capabilities = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.apiAddress().getPort() + "/capabilities")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(capabilities.body()).contains("\"sampling\":{\"tcp_info_closing_sample_every\":4}");
    }

    @Test
    void theEventLoopCountIsTheOneAskedForAndShown() throws Exception {
        server.close();
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults().withIoThreads(3));
        Proxy ok = server.registry().create(new io.chaosproxy.engine.ProxySpec("ok",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", upstream.getLocalPort()), true));
        // Traffic flows; the group has three loops, each on a thread of its own.
        java.util.Set<Thread> serving = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) {
            try (Socket c = connect(ok); Socket s = upstream.accept()) {
                c.getOutputStream().write(new byte[10]);
                assertThat(s.getInputStream().readNBytes(10)).hasSize(10);
            }
        }
        for (io.netty.util.concurrent.EventExecutor loop : server.engine().transport().group()) {
            loop.submit(() -> serving.add(Thread.currentThread())).get();
        }
        assertThat(serving).hasSize(3);
        HttpResponse<String> capabilities = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.apiAddress().getPort() + "/capabilities")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(capabilities.body()).contains("\"io_threads\":3");
    }

    @Test
    void activeToxicsGaugeFollowsTheToxicList() throws Exception {
        server.registry().create(new io.chaosproxy.engine.ProxySpec("ok",
                new io.chaosproxy.model.HostPort("127.0.0.1", 0),
                new io.chaosproxy.model.HostPort("127.0.0.1", upstream.getLocalPort()), true));
        server.registry().addToxic("ok", new io.chaosproxy.engine.ToxicRequest("slow", "latency", null, null,
                java.util.Map.of("latency", 10)));
        awaitMetrics("chaosproxy_toxics_active{proxy=\"ok\",toxic=\"slow\",type=\"latency\"} 1.0");
        server.registry().removeToxic("ok", "slow");
        HttpClient http = HttpClient.newHttpClient();
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.apiAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).doesNotContain("toxic=\"slow\"");
    }

    private String awaitMetrics(String expectedLine) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = "";
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.apiAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
            body = r.body();
            if (body.contains(expectedLine)) {
                return body;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("metrics never showed " + expectedLine + ":\n" + body);
    }

    private static Socket connect(Proxy p) throws IOException {
        String listen = p.listenText();
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1))),
                2000);
        s.setSoTimeout(5000);
        return s;
    }
}
