package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.EventType;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL with {@code ssl=on} (Debian's package: its certificate is made when the image is built) behind
 * {@link ChaosProxyContainer}, the JDBC driver with {@code sslmode=require}: the TLS handshake after PostgreSQL's
 * SSLRequest is read by the proxy, and a stalled ClientHello makes the driver's connect time out. The chaos-proxy
 * image is built under a tag of this test's own from the jar just packaged (image tags are shared on a Docker host).
 */
@ExtendWith(TestImages.class)
@ChaosProxyTest
class PostgresTlsThroughChaosProxyTest {
    static final String IMAGE = "chaos-proxy:tls-test";
    static final Network network = Network.newNetwork();
    static final ChaosProxyContainer chaos = new ChaosProxyContainer(ownImage()).withImagePullPolicy(name -> false)
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

    /**
     * chaos-proxy from this build's jar, under this test's tag (rebuilt when the jar is newer); the shared tag when
     * Docker is unavailable (TestImages then skips the class with the reason).
     */
    static DockerImageName ownImage() {
        if (TestImages.ensure() != null) {
            return DockerImageName.parse(TestImages.CHAOS_PROXY);
        }
        try {
            buildOwnImage();
        } catch (Exception e) {
            throw new IllegalStateException("could not build " + IMAGE, e);
        }
        return DockerImageName.parse(IMAGE).asCompatibleSubstituteFor(TestImages.CHAOS_PROXY);
    }

    private static void buildOwnImage() throws Exception {
        Path root = Paths.get(System.getProperty("chaosproxy.projectRoot", "..")).toAbsolutePath().normalize();
        Path jar = root.resolve("control-api/target/chaos-proxy.jar");
        var docker = DockerClientFactory.instance().client();
        boolean stale;
        try {
            Instant created = Instant.parse(docker.inspectImageCmd(IMAGE).exec().getCreated());
            stale = Files.getLastModifiedTime(jar).toInstant().isAfter(created);
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            stale = true;
        }
        if (stale) {
            new ImageFromDockerfile(IMAGE, false)
                    .withFileFromPath("Dockerfile", root.resolve("docker/chaos-proxy.Dockerfile"))
                    .withFileFromPath("chaos-proxy.jar", jar)
                    .withBuildArg("BASE_IMAGE", TestImages.BASE)
                    .get();
        }
    }

    // tag::tls[]
    Connection connectOverTls(ChaosProxyContainer.Proxy proxy, int connectTimeoutSeconds) throws SQLException {
        return DriverManager.getConnection(proxy.jdbcUrl("postgresql", "postgres") + "?user=postgres"
            + "&sslmode=require&connectTimeout=" + connectTimeoutSeconds + "&socketTimeout=10");
    }

    @Test
    void aStalledClientHelloTimesTheDriverOut(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                             ChaosProxyContainer.Proxy proxy) throws SQLException {
        proxy.toxics().tlsHelloStall().upstream().create();      // the server never sees the ClientHello
        long start = System.nanoTime();
        SQLException e = (SQLException) catchThrowable(() -> connectOverTls(proxy, 2));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(PgSupport.causeOfType(e, SocketTimeoutException.class)).isNotNull();
        assertThat(tookMs).isBetween(1900L, 6000L);

        proxy.toxics().removeAll();
        try (Connection c = connectOverTls(proxy, 5);
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            r.next();
            assertThat(r.getBoolean(1)).isTrue();                  // a normal query, over TLS, after removal
            assertThat(r.getString(2)).isEqualTo("TLSv1.3");
        }
    }
    // end::tls[]

    @Test
    void theTimelineShowsTheHandshakeAfterPostgresqlsSslRequest(@ChaosProxy(name = "pg", upstream = "pg:5432")
                                                                ChaosProxyContainer.Proxy proxy) throws Exception {
        proxy.handle().toxics().tlsHandshakeDelay("slow_tls").delay(300).create();
        long start = System.nanoTime();
        try (Connection c = connectOverTls(proxy, 5)) {
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            System.out.printf("pg sslmode=require with tls_handshake_delay 300: connected in %d ms%n", tookMs);
            assertThat(tookMs).isGreaterThanOrEqualTo(300);
        }
        ConnectionInfo connection = handshaken(proxy);
        ConnectionInfo.Event hello = connection.firstEvent(EventType.TLS_CLIENT_HELLO).orElseThrow();
        assertThat(hello.versions()).contains("TLSv1.3");
        ConnectionInfo.Event done = connection.firstEvent(EventType.TLS_HANDSHAKE_DONE).orElseThrow();
        System.out.printf("pg TLS handshake as the proxy saw it: %s, %d us%n", done.version(), done.durationUs());
        assertThat(done.durationUs()).isGreaterThanOrEqualTo(300_000);
        assertThat(connection.firstEvent(EventType.TLS_STEPPED_ASIDE)).isEmpty();
    }

    /** The proxy's connection with a finished TLS handshake, polled (bounded) until the timeline has it. */
    static ConnectionInfo handshaken(ChaosProxyContainer.Proxy proxy) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            for (ConnectionInfo c : proxy.handle().connections()) {
                if (c.firstEvent(EventType.TLS_HANDSHAKE_DONE).isPresent()) {
                    return c;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no connection of proxy pg shows a finished TLS handshake: "
                + proxy.handle().connections());
    }
}
