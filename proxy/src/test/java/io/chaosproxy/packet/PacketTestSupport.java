package io.chaosproxy.packet;

import io.chaosproxy.toxic.types.BuiltInToxics;
import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.toxic.PacketFaults;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyEngine;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicEngine;
import io.chaosproxy.toxic.ToxicTypes;
import io.chaosproxy.toxic.types.AckDelayToxic;
import io.chaosproxy.toxic.types.AckDropToxic;
import io.chaosproxy.toxic.types.FinDropPacketToxic;
import io.chaosproxy.toxic.types.RefuseToxic;
import io.chaosproxy.toxic.types.SynAckDelayToxic;
import io.chaosproxy.toxic.types.SynAckDropToxic;
import io.chaosproxy.toxic.types.SynDropToxic;
import io.chaosproxy.toxic.types.UpstreamSynAckDelayToxic;
import io.chaosproxy.toxic.types.UpstreamSynDropToxic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * An engine with the packet toxic types registered and a real packet engine, inside the test JVM's own network
 * namespace (see netns-java.sh). Tests skip, saying why, when there is no such namespace.
 */
final class PacketTestSupport implements AutoCloseable {
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ProxyEngine engine;
    final ProxyRegistry registry;
    final PacketFaults faults;

    PacketTestSupport(EngineConfig config) {
        ToxicTypes types = BuiltInToxics.registry();
        registerPacketTypes(types);
        engine = new ProxyEngine(config, meters, types);
        faults = PacketEngine.start(meters);
        if (faults.unavailableReason() != null) {
            engine.close();
        }
        assertThat(faults.unavailableReason()).as("packet engine in a private namespace as root").isNull();
        engine.usePacketFaults(faults);
        registry = new ProxyRegistry(engine);
    }

    /** Skips the calling test unless the JVM runs in a network namespace of its own. */
    static void assumePrivateNetworkNamespace() {
        String inside = System.getenv("CHAOS_NETNS");
        String why = System.getenv("CHAOS_NETNS_UNAVAILABLE");
        if (inside == null) {
            System.out.println("SKIPPING packet tests: not in a private network namespace: "
                    + (why == null ? "not started through src/test/netns-java.sh" : why));
        }
        Assumptions.assumeTrue(inside != null, "not in a private network namespace: "
                + (why == null ? "not started through src/test/netns-java.sh" : why));
    }

    static void registerPacketTypes(ToxicTypes types) {
        for (var t : List.of(new SynDropToxic(), new SynAckDelayToxic(), new SynAckDropToxic(), new AckDropToxic(),
                new AckDelayToxic(), new RefuseToxic(), new FinDropPacketToxic(), new UpstreamSynDropToxic(),
                new UpstreamSynAckDelayToxic())) {
            if (types.find(t.name()).isEmpty()) {
                types.register(t);
            }
        }
    }

    PacketEngine packetEngine() {
        return (PacketEngine) faults;
    }

    Proxy proxy(String name, int upstreamPort) {
        return registry.create(new ProxySpec(name, HostPort.parse("listen", "127.0.0.1:0", true),
                HostPort.parse("upstream", "127.0.0.1:" + upstreamPort, false), true));
    }

    /** Adds a toxic and tells the packet engine (again: apply is idempotent, so this works wired or not). */
    Toxic toxic(Proxy proxy, String type, String stream, Map<String, Object> attributes) {
        Toxic t = registry.addToxic(proxy.name(), new ToxicRequest(null, type, stream, null, attributes));
        sync(proxy);
        return t;
    }

    void remove(Proxy proxy, String toxicName) {
        registry.removeToxic(proxy.name(), toxicName);
        sync(proxy);
    }

    void sync(Proxy proxy) {
        faults.apply(proxy.name(), proxy.boundAddress(), proxy.upstreamAddress(), proxy.toxicsSnapshot().stream()
                .filter(t -> t.armed() && t.type().engine() == ToxicEngine.PACKET).toList());
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** Every rule in the filter table, IPv4 and IPv6, as iptables -S prints them. */
    static String rules() throws IOException, InterruptedException {
        return run("iptables", "-S") + run("ip6tables", "-S");
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        }
    }

    @Override
    public void close() {
        registry.close();
        engine.close();
    }
}
