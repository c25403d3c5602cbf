package io.chaosproxy.scenario.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.scenario.ScenarioRecord;
import io.chaosproxy.scenario.ScenarioRecord.SegmentView;
import io.chaosproxy.scenario.ScenarioTesting;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake scenarios (packet engine), in a network namespace of this JVM's own where netns-java.sh pinned
 * tcp_syn_retries=6 and tcp_syn_linear_timeouts=4; skipped with the reason where no namespace can be made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketScenariosTest {
    private static ScenarioTesting t;

    @BeforeAll
    static void start() {
        String inside = System.getenv("CHAOS_NETNS");
        String why = System.getenv("CHAOS_NETNS_UNAVAILABLE");
        String reason = "not in a private network namespace: "
                + (why == null ? "not started through proxy/src/test/netns-java.sh" : why);
        if (inside == null) {
            System.out.println("SKIPPING packet scenarios: " + reason);
        }
        Assumptions.assumeTrue(inside != null, reason);
        t = new ScenarioTesting(true);
        assertThat(t.env.packetUnavailableReason()).as("packet engine in a private namespace as root").isNull();
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    private static long count(ScenarioRecord r, String direction, String flags, String verdict) {
        return r.segments().stream().filter(s -> s.direction().equals(direction) && s.flags().equals(flags)
                && s.verdict().equals(verdict)).count();
    }

    @Test
    void synLostOnceConnectsAfterOneRetransmission() {
        ScenarioRecord r = t.runAsStated("syn-lost-once");
        assertThat(r.client().connectMillis()).isBetween(900.0, 1600.0);
        assertThat(r.retransmissions().bySegments()).isGreaterThanOrEqualTo(1);
        SegmentView synAck = r.segments().stream().filter(s -> s.flags().equals("S.")).findFirst().orElseThrow();
        assertThat(synAck.seq()).isZero();
        assertThat(synAck.ack()).isEqualTo(1);
        assertThat(synAck.window()).isPositive();
    }

    @Test
    void synLostTwiceConnectsAfterTheKernelsRetransmissionDelays() {
        ScenarioRecord r = t.runAsStated("syn-lost-twice");
        // tcp_syn_linear_timeouts=4: 1 s + 1 s; classic doubling: 1 s + 2 s.
        assertThat(r.client().connectMillis()).isBetween(1800.0, 3500.0);
        assertThat(count(r, "client>proxy", "S", "drop")).isEqualTo(2);
        assertThat(r.segments()).filteredOn(s -> s.flags().equals("S"))
                .allSatisfy(s -> assertThat(s.seq()).isZero());
    }

    @Test
    void everySynLostLetsTheClientsOwnConnectTimeoutFire() {
        ScenarioRecord r = t.runAsStated("syn-lost-always");
        assertThat(r.client().message()).contains("Connect timed out");
        assertThat(r.client().totalMillis()).isBetween(1400.0, 2300.0);
        assertThat(r.server().accepted()).isZero();
        assertThat(r.connections()).isEmpty();
    }

    @Test
    void synAckDelayedSlowsConnectByTheDelay() {
        ScenarioRecord r = t.runAsStated("synack-delayed");
        assertThat(r.client().connectMillis()).isBetween(450.0, 950.0);
    }

    @Test
    void synAckLostConnectsAfterASecond() {
        ScenarioRecord r = t.runAsStated("synack-lost");
        assertThat(r.client().connectMillis()).isBetween(900.0, 1600.0);
        assertThat(count(r, "proxy>client", "S.", "drop")).isEqualTo(1);
    }

    @Test
    void ackLostCostsNothingWhenTheClientSpeaksFirst() {
        ScenarioRecord r = t.runAsStated("ack-lost-client-speaks-first");
        assertThat(r.client().totalMillis()).isLessThan(700.0);
        assertThat(count(r, "client>proxy", ".", "drop")).isEqualTo(1);
    }

    @Test
    void ackLostCostsASecondWhenTheServerSpeaksFirst() {
        ScenarioRecord r = t.runAsStated("ack-lost-server-speaks-first");
        assertThat(r.client().connectMillis()).isLessThan(200.0);
        assertThat(r.client().steps()).filteredOn(s -> s.what().startsWith("read a line"))
                .allSatisfy(s -> assertThat(s.tMillis()).isBetween(900.0, 2200.0));
        assertThat(r.segments()).filteredOn(s -> s.flags().equals("S.") && s.retransmission()).isNotEmpty();
    }

    @Test
    void connectionRefusedFailsAtOnce() {
        ScenarioRecord r = t.runAsStated("connection-refused");
        assertThat(r.client().exceptionClass()).isEqualTo("ConnectException");
        assertThat(r.client().totalMillis()).isLessThan(500.0);
        assertThat(r.server().accepted()).isZero();
    }
}
