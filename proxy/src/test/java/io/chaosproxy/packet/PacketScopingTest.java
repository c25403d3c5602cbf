package io.chaosproxy.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.Io;
import io.chaosproxy.testing.ProxyHarness;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Packet rules act on the proxy's own sockets only: a server-leg toxic leaves other processes' connections to the
 * same upstream alone, and a second instance in the same network namespace leaves the first one's rules alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketScopingTest {
    private static final int DELAY_MS = 400;

    private PacketTestSupport support;
    private EchoServer echo;
    private Proxy proxy;

    @BeforeEach
    void setUp() {
        PacketTestSupport.assumePrivateNetworkNamespace();
        support = new PacketTestSupport(EngineConfig.defaults());
        echo = new EchoServer();
        proxy = support.proxy("p", echo.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (support != null) {
            support.close();
            echo.close();
            assertThat(PacketTestSupport.rules()).doesNotContain("chaos-proxy:");
        }
    }

    @Test
    void upstreamSynAckDelayDelaysTheProxysDialButNotADirectConnection() throws Exception {
        proxyRoundTripMillis(); // warms up the JVM and the proxy
        directConnectMillis();
        support.toxic(proxy, "upstream_synack_delay", "upstream", Map.of("delay", DELAY_MS));

        long direct = directConnectMillis();
        double throughProxy = proxyRoundTripMillis();
        System.out.println("upstream_synack_delay " + DELAY_MS + ": direct connect to the upstream " + direct
                + " ms, first round trip through the proxy " + throughProxy + " ms");
        assertThat(direct).as("another process's connection to the upstream").isLessThan(100);
        assertThat(throughProxy).as("the proxy's own dial").isBetween(DELAY_MS - 20.0, DELAY_MS + 250.0);
    }

    @Test
    void aSecondInstanceStartingInTheSameNamespaceLeavesTheFirstsRulesAlone() throws Exception {
        support.toxic(proxy, "upstream_synack_delay", "upstream", Map.of("delay", DELAY_MS));
        // Rules of an instance that no longer runs (no process has this id): the second one's start removes them.
        long gone = 4_194_304 + 7; // above Linux's pid_max ceiling, so never a running process
        PacketTestSupport.run("iptables", "-N", "CHAOS-" + gone + "-0000000000");
        PacketTestSupport.run("iptables", "-I", "INPUT", "1", "-p", "tcp", "--dport", "9", "-m", "comment",
                "--comment", "chaos-proxy:" + gone + ":old", "-j", "CHAOS-" + gone + "-0000000000");
        assertThat(PacketTestSupport.rules()).contains("chaos-proxy:" + gone + ":old");
        String ownRules = ownRules(gone);

        Process second = new ProcessBuilder(new File(System.getProperty("java.home"), "bin/java").getPath(), "-cp",
                System.getProperty("java.class.path"), SecondPacketEngine.class.getName())
                .redirectErrorStream(true).start();
        assertThat(second.waitFor(30, TimeUnit.SECONDS)).as("second instance ends").isTrue();
        String said = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println("second instance: " + said.trim());
        assertThat(said).contains("started");

        String rules = PacketTestSupport.rules();
        assertThat(rules).doesNotContain("chaos-proxy:" + gone + ":").doesNotContain("CHAOS-" + gone + "-");
        assertThat(ownRules(gone)).isEqualTo(ownRules);
        double throughProxy = proxyRoundTripMillis();
        System.out.println("after a second instance started and stopped: first round trip " + throughProxy + " ms");
        assertThat(throughProxy).as("the first instance's toxic still acts").isGreaterThan(DELAY_MS - 20.0);
    }

    /** This instance's rules: every one of ours except those of the instance that is gone. */
    private static String ownRules(long gone) throws Exception {
        List<String> own = PacketTestSupport.rules().lines()
                .filter(l -> l.contains("chaos-proxy:") && !l.contains("chaos-proxy:" + gone + ":")).sorted().toList();
        assertThat(own).isNotEmpty();
        return String.join("\n", own);
    }

    private long directConnectMillis() throws Exception {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", echo.port()), 2000);
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    private double proxyRoundTripMillis() throws Exception {
        try (Socket s = ProxyHarness.connect(proxy)) {
            return Io.roundTripNanos(s, new byte[] {1}) / 1e6;
        }
    }
}
