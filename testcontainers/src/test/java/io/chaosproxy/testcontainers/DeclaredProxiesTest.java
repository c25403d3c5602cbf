package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.chaosproxy.client.ProxyHandle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.utility.DockerImageName;

/**
 * Proxies declared once per class and injected by name, restored after each test; the address where every fault
 * works; packet-engine tests that skip where they cannot run; a missing image that fails at once.
 */
@ExtendWith(TestImages.class)
@ChaosProxyTest
@ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeclaredProxiesTest {
    static final ChaosProxyContainer chaos = new ChaosProxyContainer(DockerImageName.parse(TestImages.CHAOS_PROXY))
            .withImagePullPolicy(name -> false);

    @ChaosProxy(name = "api")
    static ChaosProxyContainer.Proxy api;

    @AfterAll
    static void stop() {
        chaos.stop();
    }

    private static String get(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET /version HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    @Test
    @Order(1)
    void aDeclaredProxyIsInjectedByNameAndAnswersAtTheRightAddress(@ChaosProxy(name = "api") ProxyHandle byName)
            throws IOException {
        assertThat(api).isNotNull();
        assertThat(byName.name()).isEqualTo("api");
        assertThat(byName.upstream()).isEqualTo("127.0.0.1:8474");
        // On Linux the test reaches the container's own address, where every fault works.
        assertThat(chaos.isDirectlyReachable()).isTrue();
        assertThat(api.host()).isEqualTo(api.getDirectHost());
        assertThat(api.port()).isEqualTo(api.getOriginalProxyPort());
        assertThat(api.uri("http").toString()).isEqualTo("http://" + api.getDirectHost() + ":" + api.port());
        assertThat(api.jdbcUrl("postgresql", "app")).isEqualTo("jdbc:postgresql://" + api.address() + "/app");
        assertThat(get(api.host(), api.port())).startsWith("HTTP/1.").contains("version");
        // This test breaks the proxy; the next one must find it as declared.
        byName.setUpstream("127.0.0.1:9");
        byName.disable();
    }

    @Test
    @Order(2)
    void theNextTestFindsTheProxyAsDeclared() throws IOException {
        ProxyHandle fresh = api.handle().client().proxy("api");
        assertThat(fresh.upstream()).isEqualTo("127.0.0.1:8474");
        assertThat(fresh.isEnabled()).isTrue();
        assertThat(get(api.host(), api.port())).contains("version");
    }

    /** What the README says a client sees of a disabled proxy, on each address. */
    @Test
    @Order(3)
    void aDisabledProxyIsRefusedAtItsOwnAddressAndClosedByDockersForwarder() throws IOException {
        api.handle().disable();
        assertThatThrownBy(() -> get(api.host(), api.port())).isInstanceOf(java.net.ConnectException.class)
                .hasMessageContaining("refused");
        String viaForwarder;
        try {
            viaForwarder = get(api.getHost(), api.getMappedPort());
        } catch (java.net.SocketException reset) {
            viaForwarder = "reset: " + reset.getMessage();
        }
        System.out.println("disabled proxy through the mapped port: " + (viaForwarder.isEmpty() ? "EOF" : viaForwarder));
        assertThat(viaForwarder).satisfiesAnyOf(s -> assertThat(s).isEmpty(), s -> assertThat(s).startsWith("reset"));
    }

    @Test
    @Order(4)
    @RequiresPacketEngine
    void aPacketEngineTestRunsWhereTheEngineWorks() throws IOException {
        api.toxics().synDrop().count(1).create();
        long start = System.nanoTime();
        assertThat(get(api.host(), api.port())).contains("version");
        long millis = (System.nanoTime() - start) / 1_000_000;
        // One SYN lost: the kernel retransmits it after about a second.
        assertThat(millis).isBetween(900L, 5000L);
    }

    @Test
    void twoUpstreamsForOneNameFailTheTestInsteadOfRePointingTheProxy() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ConflictingDeclarations.class)).execute();
        results.testEvents().assertStatistics(s -> s.failed(1));
        Throwable why = results.testEvents().failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(why).hasMessageContaining("proxy 'api' is declared with upstream 127.0.0.1:8474 and again")
                .hasMessageContaining("with upstream 127.0.0.1:9999");
    }

    @Test
    void aMissingLocalImageFailsAtOnceSayingHowToBuildIt() {
        long start = System.nanoTime();
        try (ChaosProxyContainer missing = new ChaosProxyContainer("chaos-proxy:no-such-build")) {
            assertThatThrownBy(missing::start).hasStackTraceContaining("docker build -f docker/chaos-proxy.Dockerfile")
                    .hasStackTraceContaining("Docker has no image chaos-proxy:no-such-build");
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("missing image reported after %d ms%n", millis);
        assertThat(millis).isLessThan(10_000);
    }

    /** Run only through the EngineTestKit above (surefire skips nested classes). */
    @ExtendWith(TestImages.class)
    @ChaosProxyTest
    @ChaosProxy(name = "api", upstream = "127.0.0.1:8474")
    static class ConflictingDeclarations {
        static final ChaosProxyContainer chaos = new ChaosProxyContainer(DockerImageName.parse(TestImages.CHAOS_PROXY))
                .withImagePullPolicy(name -> false);

        @AfterAll
        static void stop() {
            chaos.stop();
        }

        @Test
        void reusesTheNameForAnotherUpstream(@ChaosProxy(name = "api", upstream = "127.0.0.1:9999")
                                            ChaosProxyContainer.Proxy other) {
            assertThat(other).isNotNull();
        }
    }
}
