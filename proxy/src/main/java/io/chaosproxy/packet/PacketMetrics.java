package io.chaosproxy.packet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The packet engine's meters, named in one place. */
public final class PacketMetrics {
    public static final String SEGMENTS = "chaosproxy.packet.segments";
    public static final String SYN_RETRANSMISSIONS = "chaosproxy.packet.syn.retransmissions";
    public static final String SYN_RETRANSMIT_GAP = "chaosproxy.packet.syn.retransmit.gap";
    public static final String HANDSHAKE = "chaosproxy.packet.handshake";

    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32),
        Duration.ofSeconds(64)};

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    PacketMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void segment(String proxy, String leg, String flags, String verdict) {
        counters.computeIfAbsent(List.of(SEGMENTS, proxy, leg, flags, verdict), k -> Counter.builder(SEGMENTS)
                .description("TCP control segments seen by the packet engine, by the verdict given")
                .tags("proxy", proxy, "leg", leg, "flags", flags, "verdict", verdict).register(registry))
                .increment();
    }

    void synRetransmission(String proxy, String leg, long gapNanos) {
        counters.computeIfAbsent(List.of(SYN_RETRANSMISSIONS, proxy, leg), k -> Counter.builder(SYN_RETRANSMISSIONS)
                .description("SYNs seen again with the same sequence number (a retry of the same attempt)")
                .tags("proxy", proxy, "leg", leg).register(registry)).increment();
        timer(SYN_RETRANSMIT_GAP, "time between a SYN and its retransmission", proxy, leg)
                .record(Duration.ofNanos(gapNanos));
    }

    void handshake(String proxy, String leg, long nanos) {
        timer(HANDSHAKE, "first SYN to the handshake-completing ACK, as the connecting side sends them", proxy, leg)
                .record(Duration.ofNanos(nanos));
    }

    /** Drops a deleted proxy's cached meters (their series are removed from the registry with the proxy's others). */
    void forget(String proxy) {
        counters.keySet().removeIf(k -> k.get(1).equals(proxy));
        timers.keySet().removeIf(k -> k.get(1).equals(proxy));
    }

    private Timer timer(String name, String description, String proxy, String leg) {
        return timers.computeIfAbsent(List.of(name, proxy, leg), k -> Timer.builder(name).description(description)
                .tags("proxy", proxy, "leg", leg).serviceLevelObjectives(BUCKETS).register(registry));
    }
}
