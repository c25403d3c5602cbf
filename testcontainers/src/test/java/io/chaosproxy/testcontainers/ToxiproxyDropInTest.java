package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * An existing Toxiproxy test, unchanged but for the image name: Testcontainers' own {@link ToxiproxyContainer} runs
 * chaos-proxy's image (declared a compatible substitute for Toxiproxy's), driven by toxiproxy-java.
 */
@ExtendWith(TestImages.class)
class ToxiproxyDropInTest {
    static Network network;
    static GenericContainer<?> pg;
    static ToxiproxyContainer toxiproxy;
    static ToxiproxyClient client;

    @BeforeAll
    static void start() {
        network = Network.newNetwork();
        pg = PgSupport.postgres(network);
        pg.start();
        // tag::drop-in[]
        toxiproxy = new ToxiproxyContainer(DockerImageName.parse("chaos-proxy:0.1.0-SNAPSHOT")
                .asCompatibleSubstituteFor("ghcr.io/shopify/toxiproxy"))
                .withNetwork(network);
        // end::drop-in[]
        toxiproxy.start();
        client = new ToxiproxyClient(toxiproxy.getHost(), toxiproxy.getControlPort());
    }

    @AfterAll
    static void stop() {
        if (toxiproxy != null) {
            toxiproxy.stop();
        }
        if (pg != null) {
            pg.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void theUsualToxiproxyFlows() throws IOException, SQLException {
        assertThat(client.version()).isNotBlank();
        Proxy proxy = client.createProxy("postgres", "0.0.0.0:8666", PgSupport.ALIAS + ":5432");
        String host = toxiproxy.getHost();
        int port = toxiproxy.getMappedPort(8666);
        try {
            // Through the proxy, no toxic.
            try (Connection c = PgSupport.connect(host, port, 5, 10)) {
                double before = PgSupport.medianQueryMillis(c, 10);

                // Latency on the way back.
                proxy.toxics().latency("latency", ToxicDirection.DOWNSTREAM, 200).setJitter(0);
                double after = PgSupport.medianQueryMillis(c, 5);
                assertThat(after - before).isBetween(180.0, 400.0);
                System.out.printf("toxiproxy-java latency 200 ms: SELECT 1 median %.1f -> %.1f ms%n", before, after);
                assertThat(proxy.toxics().getAll()).hasSize(1);
                proxy.toxics().get("latency").remove();
                assertThat(PgSupport.medianQueryMillis(c, 5)).isLessThan(100);
            }

            // Bandwidth 0: nothing passes, the driver's socket timeout fires.
            try (Connection c = PgSupport.connect(host, port, 5, 2)) {
                proxy.toxics().bandwidth("choke", ToxicDirection.DOWNSTREAM, 0);
                Throwable thrown = catchThrowable(() -> PgSupport.selectOne(c));
                assertThat(PgSupport.causeOfType(thrown, SocketTimeoutException.class)).isNotNull();
                proxy.toxics().get("choke").remove();
            }

            // Timeout: data stops, the connection is closed after 500 ms.
            try (Connection c = PgSupport.connect(host, port, 5, 10)) {
                proxy.toxics().timeout("cut", ToxicDirection.UPSTREAM, 500);
                Throwable thrown = catchThrowable(() -> PgSupport.selectOne(c));
                assertThat(thrown).isInstanceOf(SQLException.class);
                assertThat(((SQLException) thrown).getSQLState()).isEqualTo("08006");
                proxy.toxics().get("cut").remove();
            }

            // Disable: new connections fail; enable: they work again.
            proxy.disable();
            Throwable refused = catchThrowable(() -> PgSupport.connect(host, port, 2, 2).close());
            assertThat(refused).isInstanceOf(SQLException.class);
            proxy.enable();
            try (Connection c = PgSupport.connect(host, port, 5, 10)) {
                assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            }

            // reset() removes toxics and keeps the proxy.
            proxy.toxics().latency("again", ToxicDirection.DOWNSTREAM, 1000);
            client.reset();
            assertThat(client.getProxy("postgres").toxics().getAll()).isEmpty();
            try (Connection c = PgSupport.connect(host, port, 5, 10)) {
                assertThat(PgSupport.medianQueryMillis(c, 3)).isLessThan(100);
            }
        } finally {
            proxy.delete();
        }
        assertThat(client.getProxies()).isEmpty();
    }
}
