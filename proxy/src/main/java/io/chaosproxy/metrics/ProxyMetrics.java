package io.chaosproxy.metrics;

import io.chaosproxy.event.ConnectionEvent;
import io.chaosproxy.event.EventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every meter of the engine, named in one place. Counts are driven by connection events, except bytes, which are
 * counted as they flow. Names follow Prometheus conventions once rendered (base units, {@code _total}).
 */
public final class ProxyMetrics implements EventListener {
    public static final String ACCEPTED = "chaosproxy.connections.accepted";
    public static final String ACTIVE = "chaosproxy.connections.active";
    public static final String CLOSED = "chaosproxy.connections.closed";
    public static final String BYTES = "chaosproxy.bytes";
    public static final String UPSTREAM_CONNECT = "chaosproxy.upstream.connect";
    public static final String DURATION = "chaosproxy.connection.duration";
    public static final String TOXICS_APPLIED = "chaosproxy.toxics.applied";

    private static final Duration[] CONNECT_BUCKETS = buckets(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2.5, 5, 10, 30);
    private static final Duration[] DURATION_BUCKETS = buckets(0.001, 0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800);

    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicLong> active = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The byte counter of one proxy and direction; callers keep it to count on the hot path without lookups. */
    public Counter bytes(String proxy, String direction) {
        return counter(BYTES, "bytes forwarded, counted as they are read", "proxy", proxy, "direction", direction);
    }

    @Override
    public void onEvent(ConnectionEvent e) {
        switch (e.type()) {
            case ACCEPTED -> {
                counter(ACCEPTED, "connections accepted", "proxy", e.proxy()).increment();
                activeCount(e.proxy()).incrementAndGet();
            }
            case UPSTREAM_CONNECTED, UPSTREAM_FAILED -> connectTimer(e.proxy(), e.detail())
                    .record(e.durationNanos(), TimeUnit.NANOSECONDS);
            case TOXIC_APPLIED -> counter(TOXICS_APPLIED, "toxics that acted on a connection direction",
                    "proxy", e.proxy(), "type", e.detail()).increment();
            case CLOSED -> {
                activeCount(e.proxy()).decrementAndGet();
                counter(CLOSED, "connections closed, by reason", "proxy", e.proxy(), "reason", e.detail())
                        .increment();
                Timer.builder(DURATION).description("connection lifetime from accept to close")
                        .tag("proxy", e.proxy()).serviceLevelObjectives(DURATION_BUCKETS)
                        .register(registry).record(e.durationNanos(), TimeUnit.NANOSECONDS);
            }
            default -> {
            }
        }
    }

    private AtomicLong activeCount(String proxy) {
        return active.computeIfAbsent(proxy, p -> {
            AtomicLong n = new AtomicLong();
            Gauge.builder(ACTIVE, n, AtomicLong::get).description("connections open now")
                    .tag("proxy", p).register(registry);
            return n;
        });
    }

    private Timer connectTimer(String proxy, String outcome) {
        return Timer.builder(UPSTREAM_CONNECT).description("time to dial the upstream, by outcome")
                .tags("proxy", proxy, "outcome", outcome).serviceLevelObjectives(CONNECT_BUCKETS)
                .register(registry);
    }

    private Counter counter(String name, String description, String... tags) {
        String key = name + String.join("\u0000", tags);
        return counters.computeIfAbsent(key,
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }
}
