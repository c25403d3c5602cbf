package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.FinThen;
import io.chaosproxy.client.ProxyHandle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.utility.DockerImageName;

/**
 * The JUnit 5 extension, with the simplest upstream there is: chaos-proxy's own control API inside the same
 * container (HTTP on 127.0.0.1:8474), so the toxics' effects are plain to see on a raw socket.
 */
@ExtendWith(TestImages.class)
@ChaosProxyTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosProxyExtensionTest {
    static final ChaosProxyContainer chaos = new ChaosProxyContainer(DockerImageName.parse(TestImages.CHAOS_PROXY))
            .withImagePullPolicy(name -> false);

    @AfterAll
    static void stop() {
        chaos.stop();
    }

    /** Sends an HTTP/1.0 request (the server answers, then closes) and reads until EOF. */
    private static String get(String host, int port, String path, int readTimeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(readTimeoutMs);
            s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    @Order(1)
    void injectsTheContainerTheClientAndProxies(ChaosProxyContainer container, ChaosProxyClient client,
                                                 @ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
                                                 ChaosProxyContainer.Proxy api,
                                                 @ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
                                                 ProxyHandle sameApi) throws IOException {
        assertThat(container).isSameAs(chaos);
        assertThat(container.isRunning()).isTrue();
        assertThat(client.version()).isNotBlank();
        assertThat(api.getOriginalProxyPort()).isBetween(ChaosProxyContainer.FIRST_PROXY_PORT,
                ChaosProxyContainer.FIRST_PROXY_PORT + ChaosProxyContainer.DEFAULT_PROXY_PORT_COUNT - 1);
        assertThat(sameApi.name()).isEqualTo(api.getName());
        assertThat(get(api.getHost(), api.getMappedPort(), "/version", 5000)).startsWith("HTTP/1.").contains("version");
    }

    @Test
    @Order(2)
    void aFaultInOneTest(@ChaosProxy(name = "api", upstream = "127.0.0.1:8474") ChaosProxyContainer.Proxy api) {
        api.toxics().resetPeer("cut").downstream().timeout(0).create();
        api.toxics().latency("slow").upstream().latency(5000).create();
        // Through the mapped port, Docker's forwarding turns the RST into an EOF or a reset: either way, no answer.
        String answer;
        try {
            answer = get(api.getHost(), api.getMappedPort(), "/version", 3000);
        } catch (IOException e) {
            answer = "";
        }
        assertThat(answer).isEmpty();
        assertThat(api.toxics().list()).hasSize(2);
    }

    @Test
    @Order(3)
    void neverLeaksIntoTheNext(@ChaosProxy(name = "api", upstream = "127.0.0.1:8474") ChaosProxyContainer.Proxy api)
            throws IOException {
        assertThat(api.toxics().list()).isEmpty();
        long start = System.nanoTime();
        assertThat(get(api.getHost(), api.getMappedPort(), "/version", 5000)).contains("200");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2000);
    }

    @Test
    @Order(4)
    void latencyIsMeasuredOverHttp(@ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
                                   ChaosProxyContainer.Proxy api) throws IOException {
        get(api.getHost(), api.getMappedPort(), "/version", 5000);
        long start = System.nanoTime();
        get(api.getHost(), api.getMappedPort(), "/version", 5000);
        long before = (System.nanoTime() - start) / 1_000_000;
        api.toxics().latency("slow").downstream().latency(300).create();
        start = System.nanoTime();
        get(api.getHost(), api.getMappedPort(), "/version", 5000);
        long after = (System.nanoTime() - start) / 1_000_000;
        assertThat(after - before).isBetween(280L, 1000L);
        System.out.printf("http latency 300 ms downstream: %d ms -> %d ms%n", before, after);
    }

    @Test
    @Order(5)
    void swallowedFinLeavesTheClientWaiting(@ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
                                            ChaosProxyContainer.Proxy api) throws IOException {
        api.toxics().finDrop("half-open").downstream().then(FinThen.NONE).create();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(api.getHost(), api.getMappedPort()), 5000);
            s.setSoTimeout(1500);
            s.getOutputStream().write("GET /version HTTP/1.0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            StringBuilder got = new StringBuilder();
            long start = System.nanoTime();
            Throwable thrown = null;
            try {
                int b;
                while ((b = in.read()) >= 0) {
                    got.append((char) b);
                }
            } catch (SocketTimeoutException e) {
                thrown = e;
            }
            long waited = (System.nanoTime() - start) / 1_000_000;
            // The whole answer arrived, but the server's FIN never did: the read times out instead of an EOF.
            assertThat(got.toString()).contains("200").contains("version");
            assertThat(thrown).isInstanceOf(SocketTimeoutException.class);
            System.out.printf("fin_drop: full answer, then no EOF; read timed out after %d ms%n", waited);
        }
        assertThat(api.handle().connections()).anySatisfy(c ->
                assertThat(c.events("toxic_action")).anySatisfy(e -> assertThat(e.detail()).contains("FIN")));
    }

    @Test
    @Order(6)
    void rstAfterEstablishmentOnTheDirectAddress(@ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
                                                 ChaosProxyContainer.Proxy api) {
        api.toxics().resetPeer("cut").downstream().afterBytes(10).create();
        assertThatThrownBy(() -> get(api.getDirectHost(), api.getOriginalProxyPort(), "/version", 5000))
                .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }
}
