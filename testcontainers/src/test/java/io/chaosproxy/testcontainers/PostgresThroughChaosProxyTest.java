package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.assertj.ChaosProxyAssertions;
import io.chaosproxy.assertj.SegmentKind;
import io.chaosproxy.client.Capabilities;
import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.CloseReason;
import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.ConnectionMark;
import io.chaosproxy.client.Leg;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * A real PostgreSQL and the real PostgreSQL JDBC driver, through {@link ChaosProxyContainer}: one fault per phase,
 * each seen as the driver reports it. The extension removes every toxic after each test.
 */
@ExtendWith(TestImages.class)
@ChaosProxyTest
class PostgresThroughChaosProxyTest {
    static final Network network = Network.newNetwork();
    static final ChaosProxyContainer chaos = new ChaosProxyContainer(DockerImageName.parse(TestImages.CHAOS_PROXY))
            .withImagePullPolicy(name -> false)
            .withNetwork(network);
    static GenericContainer<?> pg;

    @BeforeAll
    static void startPostgres() {
        pg = PgSupport.postgres(network);
        pg.start();
    }

    @AfterAll
    static void cleanUp() {
        chaos.stop();
        if (pg != null) {
            pg.stop();
        }
        network.close();
    }

    @Test
    void noToxicQueriesWork(@ChaosProxy(name = "pg", upstream = "pg:5432") ChaosProxyContainer.Proxy proxy)
            throws SQLException {
        try (Connection c = PgSupport.connect(proxy.getHost(), proxy.getMappedPort(), 5, 10);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT version()")) {
            r.next();
            assertThat(r.getString(1)).startsWith("PostgreSQL");
            double median = PgSupport.medianQueryMillis(c, 20);
            assertThat(median).isLessThan(100);
            System.out.printf("pg baseline: SELECT 1 median %.2f ms through chaos-proxy%n", median);
        }
        assertThat(proxy.handle().connections()).isNotEmpty();
    }

    @Test
    void latencyDownstreamAddsToEveryRoundTrip(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                               ChaosProxyContainer.Proxy proxy) throws SQLException {
        try (Connection c = PgSupport.connect(proxy.getHost(), proxy.getMappedPort(), 5, 10)) {
            double before = PgSupport.medianQueryMillis(c, 10);
            proxy.toxics().latency("slow").downstream().latency(200).create();
            double after = PgSupport.medianQueryMillis(c, 5);
            assertThat(after - before).isBetween(180.0, 400.0);
            System.out.printf("pg latency 200 ms downstream: SELECT 1 median %.1f ms -> %.1f ms (+%.1f)%n",
                    before, after, after - before);
        }
    }

    @Test
    void resetPeerAfterBytesFailsTheQueryThenANewConnectionWorks(
            @ChaosProxy(name = "pg", upstream = "pg:5432") ChaosProxyContainer.Proxy proxy) throws SQLException {
        // Straight to the container's address: through the mapped port, Docker's port forwarding (docker-proxy)
        // turns the proxy's RST into a FIN, and the driver sees an EOFException instead of a reset.
        String host = proxy.getDirectHost();
        int port = proxy.getOriginalProxyPort();
        ConnectionMark mark = proxy.handle().mark();
        try (Connection c = PgSupport.connect(host, port, 5, 10)) {
            assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            proxy.toxics().resetPeer("cut").downstream().afterBytes(4096).create();
            Throwable thrown = catchThrowable(() -> {
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT repeat('x', 200000)")) {
                    r.next();
                }
            });
            assertThat(thrown).isInstanceOf(SQLException.class);
            SQLException e = (SQLException) thrown;
            assertThat(e.getSQLState()).isEqualTo("08006"); // connection failure
            SocketException reset = PgSupport.causeOfType(e, SocketException.class);
            assertThat(reset).isNotNull();
            assertThat(reset.getMessage()).containsIgnoringCase("reset");
            assertThat(c.isValid(1)).isFalse();
            System.out.printf("pg reset_peer after 4096 bytes: %s (SQLState %s), cause: %s%n",
                    e.getMessage(), e.getSQLState(), reset);
        }
        // What the proxy recorded of that connection: closed by the toxic, the RST felt on the client's leg.
        ChaosProxyAssertions.assertThat(proxy.handle().connectionsSince(mark).get(0))
                .closedWith(CloseReason.TOXIC).hadToxicAction("RST after N bytes").on(Leg.CLIENT);
        proxy.toxics().remove("cut");
        try (Connection again = PgSupport.connect(host, port, 5, 10)) {
            assertThat(PgSupport.selectOne(again)).isEqualTo(1);
        }
    }

    @Test
    void synDropMakesTheDriversConnectTimeOut(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                              ChaosProxyContainer.Proxy proxy, ChaosProxyClient client) {
        Capabilities caps = client.capabilities();
        Assumptions.assumeTrue(caps.packetEngineAvailable(),
                () -> "packet engine unavailable in the container: " + caps.packetEngineUnavailableReason());
        proxy.toxics().synDrop("no-syn").all().create();
        // Straight to the container's address: Docker's port mapping would complete the handshake itself.
        String host = proxy.getDirectHost();
        long start = System.nanoTime();
        Throwable thrown = catchThrowable(() -> PgSupport.connect(host, proxy.getOriginalProxyPort(), 2, 5).close());
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertThat(thrown).isInstanceOf(SQLException.class);
        SocketTimeoutException timeout = PgSupport.causeOfType(thrown, SocketTimeoutException.class);
        assertThat(timeout).isNotNull();
        assertThat(timeout.getMessage()).containsIgnoringCase("connect timed out");
        assertThat(waited).isBetween(1900L, 4000L);
        System.out.printf("pg syn_drop count 0: connect failed after %d ms: %s, cause: %s%n",
                waited, thrown.getMessage(), timeout);
    }

    @Test
    void twoDroppedSynsDelayTheConnectAndShowAsSegments(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                                        ChaosProxyContainer.Proxy proxy, ChaosProxyClient client)
            throws SQLException {
        Capabilities caps = client.capabilities();
        Assumptions.assumeTrue(caps.packetEngineAvailable(),
                () -> "packet engine unavailable in the container: " + caps.packetEngineUnavailableReason());
        proxy.toxics().synDrop("two-syns").count(2).create();
        ConnectionMark mark = proxy.handle().mark();
        long start = System.nanoTime();
        try (Connection c = PgSupport.connect(proxy.getDirectHost(), proxy.getOriginalProxyPort(), 10, 10)) {
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            // Two SYNs lost: the kernel's retransmissions come at least a second apart.
            assertThat(waited).isBetween(1900L, 8000L);
            System.out.printf("pg syn_drop count 2: connected after %d ms%n", waited);
        }
        // tag::segments[]
        ConnectionInfo connection = proxy.handle().connectionsSince(mark).get(0);
        ChaosProxyAssertions.assertThat(connection).hasSegments().dropped(SegmentKind.SYN, 2);
        // end::segments[]
    }

    @Test
    void timeoutToxicMakesTheDriversSocketTimeoutFire(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                                      ChaosProxyContainer.Proxy proxy) throws SQLException {
        try (Connection c = PgSupport.connect(proxy.getHost(), proxy.getMappedPort(), 5, 2)) {
            assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            proxy.toxics().timeout("silence").downstream().timeout(0).create();
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> PgSupport.selectOne(c));
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertThat(thrown).isInstanceOf(SQLException.class);
            SocketTimeoutException timeout = PgSupport.causeOfType(thrown, SocketTimeoutException.class);
            assertThat(timeout).isNotNull();
            assertThat(timeout.getMessage()).containsIgnoringCase("read timed out");
            // The driver's read gives up after socketTimeout; measured 2 to 4 s here (it waits twice at most).
            assertThat(waited).isBetween(1900L, 6000L);
            System.out.printf("pg timeout toxic: socketTimeout=2 fired after %d ms: %s%n", waited, timeout);
        }
    }

    @Test
    void everyTestStartsWithoutToxics(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                      ChaosProxyContainer.Proxy proxy) throws SQLException {
        assertThat(proxy.toxics().list()).isEmpty();
        try (Connection c = PgSupport.connect(proxy.getHost(), proxy.getMappedPort(), 5, 10)) {
            assertThat(PgSupport.selectOne(c)).isEqualTo(1);
        }
    }
}
