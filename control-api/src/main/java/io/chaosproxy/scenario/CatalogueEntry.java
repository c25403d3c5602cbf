package io.chaosproxy.scenario;

import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.scenario.Checks.Check;
import io.chaosproxy.scenario.Programs.ClientScript;
import io.chaosproxy.scenario.ScenarioServer.ServerScript;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * One scenario of the catalogue, as data: the toxic, the programs at both ends with their timeouts, and what it
 * states will happen (as checks). {@link ScenarioRunner} does the running.
 *
 * @param toxic the one toxic, or null when the fault is the server's own behaviour or address
 * @param readTimeoutMs the client's read timeout (SO_TIMEOUT) given the engine's connect timeout
 * @param snapshotAtMillis also read the socket states at this time (0 = only at the outcome and the end)
 */
record CatalogueEntry(String name, Stage stage, String fault, boolean needsPacketEngine, ToxicRequest toxic,
        Upstream upstream, ServerScript server, ClientScript client, int connectTimeoutMs,
        IntUnaryOperator readTimeoutMs, long snapshotAtMillis, List<Check> checks, String expected,
        String explanation) implements Scenario {

    /** What the proxy's upstream address points at. */
    enum Upstream {
        /** The scenario's server. */
        SERVER,
        /** A port nothing listens on: the server's kernel answers the proxy's SYN with an RST. */
        CLOSED_PORT,
        /** A listener whose accept queue is full: its kernel drops the proxy's SYNs, so the dial times out. */
        BLACKHOLE
    }

    @Override
    public ScenarioRecord run(ScenarioEnvironment environment) {
        return ScenarioRunner.run(this, environment);
    }

    static Builder named(String name, Stage stage) {
        return new Builder(name, stage);
    }

    static final class Builder {
        private final String name;
        private final Stage stage;
        private String fault = "";
        private boolean packet;
        private ToxicRequest toxic;
        private Upstream upstream = Upstream.SERVER;
        private ServerScript server = Programs.answer(64, false);
        private ClientScript client = Programs.request();
        private int connectTimeoutMs = 5000;
        private IntUnaryOperator readTimeoutMs = engine -> 2000;
        private long snapshotAt;
        private final List<Check> checks = new ArrayList<>();
        private String expected = "";

        private Builder(String name, Stage stage) {
            this.name = name;
            this.stage = stage;
        }

        /** A stream toxic (the Netty engine, no privileges). */
        Builder toxic(String type, String stream, Map<String, Object> attributes) {
            this.toxic = new ToxicRequest(null, type, stream, null, attributes);
            return this;
        }

        /** A packet toxic (NFQUEUE). */
        Builder packetToxic(String type, String stream, Map<String, Object> attributes) {
            packet = true;
            return toxic(type, stream, attributes);
        }

        Builder fault(String text) {
            fault = text;
            return this;
        }

        Builder upstream(Upstream u) {
            upstream = u;
            return this;
        }

        Builder server(ServerScript s) {
            server = s;
            return this;
        }

        Builder client(ClientScript c) {
            client = c;
            return this;
        }

        Builder connectTimeout(int ms) {
            connectTimeoutMs = ms;
            return this;
        }

        Builder readTimeout(int ms) {
            readTimeoutMs = engine -> ms;
            return this;
        }

        Builder readTimeout(IntUnaryOperator fromEngineConnectTimeout) {
            readTimeoutMs = fromEngineConnectTimeout;
            return this;
        }

        Builder snapshotAt(long ms) {
            snapshotAt = ms;
            return this;
        }

        Builder expect(String sentence, Check... holds) {
            expected = sentence;
            checks.addAll(List.of(holds));
            return this;
        }

        CatalogueEntry explain(String paragraph) {
            return new CatalogueEntry(name, stage, fault, packet, toxic, upstream, server, client, connectTimeoutMs,
                    readTimeoutMs, snapshotAt, List.copyOf(checks), expected, paragraph);
        }
    }
}
