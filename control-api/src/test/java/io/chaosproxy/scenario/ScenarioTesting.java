package io.chaosproxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.scenario.ScenarioRecord.CheckResult;
import io.chaosproxy.server.ChaosProxyServer;

/** Runs catalogue scenarios in a test: prints the measured figures and asserts the scenario held as stated. */
public final class ScenarioTesting implements AutoCloseable {
    public final ChaosProxyServer server;
    public final ScenarioEnvironment env;

    /** An in-process chaos-proxy with a 1 s dial timeout; the packet engine only when asked (in a netns). */
    public ScenarioTesting(boolean packetEngine) {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults().withConnectTimeoutMillis(1000),
                packetEngine);
        env = new ScenarioEnvironment(server.registry());
        Catalogue.warmUp(env);
    }

    /** Runs a scenario, prints what it observed, and asserts every stated check held and nothing was left. */
    public ScenarioRecord runAsStated(String name) {
        ScenarioRecord r = Catalogue.find(name).orElseThrow().run(env);
        System.out.println(name + ": " + r.status() + (r.client() == null ? "" : ", client after "
                + r.client().totalMillis() + " ms: " + r.client().saw() + ", connect " + r.client().connectMillis()
                + " ms") + (r.server() == null ? "" : "; server: " + r.server().saw()));
        for (CheckResult c : r.checks()) {
            System.out.println("  " + (c.held() ? "held " : "FAILED ") + c.expectation() + ": " + c.observed());
        }
        if (r.retransmissions() != null) {
            System.out.println("  retransmissions: " + r.retransmissions().bySegments() + " in segments, "
                    + r.retransmissions().retransSegsDelta() + " RetransSegs");
        }
        assertThat(r.status()).as(name + ": " + r.reason()).isEqualTo(ScenarioRecord.AS_STATED);
        assertThat(r.checks()).isNotEmpty();
        assertThat(server.registry().all()).as("the scenario's proxy is deleted").isEmpty();
        return r;
    }

    @Override
    public void close() {
        server.close();
    }
}
