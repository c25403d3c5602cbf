package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.utility.DockerImageName;

/**
 * The extension's "no silent bypass" rule with a real PostgreSQL: a test whose JDBC URL skips the proxy fails, with
 * a message naming the proxy, the toxic and what to check; the same test with the rule off passes (and proves
 * nothing, which is why the rule is on by default).
 */
@ExtendWith(TestImages.class)
class SilentBypassTest {

    @Test
    void aTestThatSkipsTheProxyFailsWithTheBypassMessage() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(WrongJdbcUrl.class)).execute();
        results.testEvents().failed().stream().forEach(e -> System.out.println("failed: "
                + e.getTestDescriptor().getDisplayName() + ": " + e.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable).map(Throwable::toString).orElse("?")));
        results.testEvents().assertStatistics(s -> s.started(2).succeeded(1).failed(1));
        Event failed = results.testEvents().failed().stream().findFirst().orElseThrow();
        assertThat(failed.getTestDescriptor().getDisplayName()).startsWith("queriesTheDatabaseDirectly");
        Throwable why = failed.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        System.out.println("bypass caught: " + why.getMessage());
        assertThat(why).isInstanceOf(AssertionError.class)
                .hasMessageContaining("toxic 'cut' (reset_peer) on proxy 'pg' was armed but no connection went "
                        + "through the proxy while it was")
                .hasMessageContaining("straight to the upstream pg:5432");
    }

    /** Run only through the EngineTestKit above (surefire skips nested classes). */
    @ExtendWith(TestImages.class)
    @ChaosProxyTest
    static class WrongJdbcUrl {
        static final Network network = Network.newNetwork();
        static final ChaosProxyContainer chaos = new ChaosProxyContainer(DockerImageName.parse(TestImages.CHAOS_PROXY))
                .withImagePullPolicy(name -> false)
                .withNetwork(network);
        static GenericContainer<?> pg;

        @BeforeAll
        static void startPostgres() {
            pg = PgSupport.postgres(network).withExposedPorts(5432); // the port the mistaken URL uses
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

        /** The mistake: the URL points at PostgreSQL's own mapped port, not at the proxy. */
        @Test
        void queriesTheDatabaseDirectly(@ChaosProxy(name = "pg", upstream = "pg:5432") ChaosProxyContainer.Proxy proxy)
                throws SQLException {
            proxy.toxics().resetPeer("cut").downstream().afterBytes(10).create();
            try (Connection c = PgSupport.connect(pg.getHost(), pg.getMappedPort(5432), 5, 10)) {
                assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            }
        }

        @Test
        void optedOutOfTheRule(@ChaosProxy(name = "pg2", upstream = "pg:5432", requireTraffic = false)
                               ChaosProxyContainer.Proxy proxy) throws SQLException {
            proxy.toxics().resetPeer("cut").downstream().afterBytes(10).create();
            try (Connection c = PgSupport.connect(pg.getHost(), pg.getMappedPort(5432), 5, 10)) {
                assertThat(PgSupport.selectOne(c)).isEqualTo(1);
            }
        }
    }
}
