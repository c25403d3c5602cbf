package io.chaosproxy.metrics;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventListener;
import io.chaosproxy.model.Leg;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
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
    public static final String TOXICS_ACTIVE = "chaosproxy.toxics.active";
    public static final String TOXIC_ACTIONS = "chaosproxy.toxic.actions";
    public static final String FIRST_BYTE = "chaosproxy.first.byte";
    public static final String CONNECTION_BYTES = "chaosproxy.connection.bytes";
    public static final String TCP_RTT = "chaosproxy.tcp.rtt";
    public static final String TCP_RTT_VARIANCE = "chaosproxy.tcp.rtt.variance";
    public static final String TCP_RETRANSMITS = "chaosproxy.tcp.retransmits";
    public static final String TCP_LOST = "chaosproxy.tcp.lost";
    /** Not a meter: the cache key of one leg's {@link TcpInfoMeters}. */
    private static final String TCP_INFO_METERS = "tcp_info_meters";
    public static final String TCP_CWND = "chaosproxy.tcp.cwnd";

    /*
     * Explicit histogram buckets, a decade apart, instead of Micrometer's percentile histograms: every bucket is a
     * series per proxy (and per tag value), and the budget is 80 series per proxy after a connection (README,
     * "Metrics"). Each histogram also renders _count, _sum, _max and the +Inf bucket.
     */
    /** Dial time: 1 ms to 10 s (dial timeouts are seconds). */
    static final Duration[] CONNECT_BUCKETS = buckets(0.001, 0.01, 0.1, 1, 10);
    /** Time to first byte: 1 ms to 1 s. */
    static final Duration[] FIRST_BYTE_BUCKETS = buckets(0.001, 0.01, 0.1, 1);
    /** Connection lifetime: 10 ms to 100 s. */
    static final Duration[] DURATION_BUCKETS = buckets(0.01, 0.1, 1, 10, 100);
    /** Smoothed RTT from TCP_INFO: 100 µs (loopback, LAN) to 100 ms (far away). */
    static final double[] RTT_BUCKETS = {0.0001, 0.001, 0.01, 0.1};

    private final MeterRegistry registry;
    private final ConcurrentMap<String, AtomicLong> active = new ConcurrentHashMap<>();
    /**
     * Every meter by proxy, then by (name, the other tag's value). Lookups on the per-connection path hash only
     * strings whose hash is already cached (the proxy's name, constants), never a freshly built key.
     */
    private final ConcurrentMap<String, ConcurrentMap<MeterKey, Object>> byProxy = new ConcurrentHashMap<>();

    private record MeterKey(String name, String tagValue) {
    }
    /** 1 per armed toxic, keyed proxy/toxic/type; gauges are removed with their toxic. */
    private final ConcurrentMap<List<String>, Gauge> activeToxics = new ConcurrentHashMap<>();

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
            case UPSTREAM_CONNECTED, UPSTREAM_FAILED -> connectTimer(e.proxy(), e.outcome().label())
                    .record(e.durationNanos(), TimeUnit.NANOSECONDS);
            case TOXIC_APPLIED -> counter(TOXICS_APPLIED, "toxics that acted on a connection direction",
                    "proxy", e.proxy(), "type", e.toxic()).increment();
            case TOXIC_ACTION -> counter(TOXIC_ACTIONS, "visible things toxics did (swallowed FIN, RST, ...)",
                    "proxy", e.proxy(), "action", e.action().label()).increment();
            case FIRST_BYTE -> firstByte(e);
            case CLOSED -> {
                activeCount(e.proxy()).decrementAndGet();
                counter(CLOSED, "connections closed, by reason", "proxy", e.proxy(), "reason", e.reason().label())
                        .increment();
                cached(e.proxy(), DURATION, "", () -> Timer.builder(DURATION)
                        .description("connection lifetime from accept to close")
                        .tag("proxy", e.proxy()).serviceLevelObjectives(DURATION_BUCKETS).register(registry), Timer.class)
                        .record(e.durationNanos(), TimeUnit.NANOSECONDS);
            }
            default -> {
            }
        }
    }

    /**
     * Client leg: first byte to the client, from accept. Server leg: the server's first byte after the client's
     * first byte (how long the server takes to answer); not recorded for server-speaks-first protocols.
     */
    private void firstByte(ConnectionEvent e) {
        if (e.leg() != Leg.SERVER) {
            return;
        }
        // Bytes from the server reach the client leg: time to first byte as the client sees it.
        firstByteTimer(e.proxy(), "client").record(e.sinceAcceptNanos(), TimeUnit.NANOSECONDS);
        // The connection puts the time since the client's first byte in the event (0 if the server spoke first).
        if (e.durationNanos() > 0) {
            firstByteTimer(e.proxy(), "server").record(e.durationNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private Timer firstByteTimer(String proxy, String leg) {
        return cached(proxy, FIRST_BYTE, leg, () -> Timer.builder(FIRST_BYTE).description("client leg: the server's first byte reached the proxy, from "
                + "accept (before any toxic delays it); server leg: the server's first byte after the client's")
                .tags("proxy", proxy, "leg", leg).serviceLevelObjectives(FIRST_BYTE_BUCKETS).register(registry),
                Timer.class);
    }

    /** Bytes one connection carried each way, recorded when it closes. */
    public void connectionClosed(String proxy, long bytesUpstream, long bytesDownstream) {
        bytesSummary(proxy, "upstream").record(bytesUpstream);
        bytesSummary(proxy, "downstream").record(bytesDownstream);
    }

    private DistributionSummary bytesSummary(String proxy, String direction) {
        // No buckets (count, sum and max only): the mean per connection is what the dashboards show.
        return cached(proxy, CONNECTION_BYTES, direction, () -> DistributionSummary.builder(CONNECTION_BYTES).baseUnit("bytes")
                .description("bytes one connection carried, by direction").tags("proxy", proxy, "direction", direction)
                .register(registry), DistributionSummary.class);
    }

    /**
     * The TCP_INFO meters of one proxy and leg, looked up once: a connection records a sample of each leg at close,
     * so looking up six meters per leg per connection showed in profiles of connection churn.
     */
    public TcpInfoMeters tcpInfoMeters(String proxy, String leg) {
        return cached(proxy, TCP_INFO_METERS, leg, () -> new TcpInfoMeters(
                tcpSummary(TCP_RTT, "smoothed round-trip time", proxy, leg, "seconds"),
                tcpSummary(TCP_RTT_VARIANCE, "round-trip time variance", proxy, leg, "seconds"),
                tcpSummary(TCP_CWND, "congestion window", proxy, leg, "segments"),
                counter(TCP_RETRANSMITS, "segments retransmitted (TCP_INFO totalRetrans)", "proxy", proxy, "leg", leg),
                counter(TCP_LOST, "segments the kernel considered lost (TCP_INFO lost)", "proxy", proxy, "leg", leg)),
                TcpInfoMeters.class);
    }

    /** One leg's TCP_INFO meters: RTT figures as histograms, retransmissions and losses as counters. */
    public record TcpInfoMeters(DistributionSummary rtt, DistributionSummary rttVariance, DistributionSummary cwnd,
            Counter retransmits, Counter lost) {

        public void record(long rttMicros, long rttVarMicros, long newRetransmits, long newLost, long cwndSegments) {
            rtt.record(rttMicros / 1e6);
            rttVariance.record(rttVarMicros / 1e6);
            cwnd.record(cwndSegments);
            // Incremented even by 0, so the series exist (at 0) before the first retransmission.
            retransmits.increment(newRetransmits);
            lost.increment(newLost);
        }
    }

    private DistributionSummary tcpSummary(String name, String description, String proxy, String leg,
            String unit) {
        return cached(proxy, name, leg, () -> newTcpSummary(name, description, proxy, leg, unit),
                DistributionSummary.class);
    }

    private DistributionSummary newTcpSummary(String name, String description, String proxy, String leg,
            String unit) {
        DistributionSummary.Builder b = DistributionSummary.builder(name).description(description).baseUnit(unit)
                .tags("proxy", proxy, "leg", leg);
        // Only the RTT gets buckets; its variance and the congestion window are shown as means.
        if (name.equals(TCP_RTT)) {
            b.serviceLevelObjectives(RTT_BUCKETS);
        }
        return b.register(registry);
    }

    /** One toxic of a proxy as its gauge shows it. */
    public record ActiveToxic(String name, String type, boolean armed) {
    }

    /** The toxics a proxy has now; armed ones show as 1, pending scheduled ones as 0, removed ones vanish. */
    public void toxicsChanged(String proxy, List<ActiveToxic> toxics) {
        java.util.Set<List<String>> now = new java.util.HashSet<>();
        for (ActiveToxic t : toxics) {
            List<String> key = List.of(proxy, t.name(), t.type());
            now.add(key);
            boolean armed = t.armed();
            Gauge old = activeToxics.remove(key);
            if (old != null) {
                registry.remove(old);
            }
            double value = armed ? 1 : 0;
            activeToxics.put(key, Gauge.builder(TOXICS_ACTIVE, () -> value)
                    .description("1 while a toxic is armed, 0 while its schedule has not started it")
                    .tags("proxy", proxy, "toxic", t.name(), "type", t.type()).register(registry));
        }
        for (List<String> key : List.copyOf(activeToxics.keySet())) {
            if (key.get(0).equals(proxy) && !now.contains(key)) {
                Gauge g = activeToxics.remove(key);
                if (g != null) {
                    registry.remove(g);
                }
            }
        }
    }

    /**
     * Removes every series of a deleted proxy from the registry: the meters cached here, its gauges, and any other
     * meter tagged with it (the packet engine's). Call once its connections are closed, so no event re-creates them.
     */
    public void forget(String proxy) {
        byProxy.remove(proxy);
        active.remove(proxy);
        activeToxics.keySet().removeIf(key -> key.get(0).equals(proxy));
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (proxy.equals(m.getId().getTag("proxy"))) {
                registry.remove(m);
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
        return cached(proxy, UPSTREAM_CONNECT, outcome, () -> Timer.builder(UPSTREAM_CONNECT).description("time to dial the upstream, by outcome")
                .tags("proxy", proxy, "outcome", outcome).serviceLevelObjectives(CONNECT_BUCKETS)
                .register(registry), Timer.class);
    }

    private <T> T cached(String proxy, String name, String tagValue, java.util.function.Supplier<T> create,
            Class<T> type) {
        ConcurrentMap<MeterKey, Object> meters = byProxy.get(proxy);
        if (meters == null) {
            meters = byProxy.computeIfAbsent(proxy, p -> new ConcurrentHashMap<>());
        }
        MeterKey key = new MeterKey(name, tagValue);
        Object meter = meters.get(key);
        if (meter == null) {
            // Created outside computeIfAbsent, so a creator may itself look up meters here (TcpInfoMeters does);
            // two threads racing both build it, and Micrometer hands both the same registered meters.
            Object made = create.get();
            Object raced = meters.putIfAbsent(key, made);
            meter = raced != null ? raced : made;
        }
        return type.cast(meter);
    }

    /** A counter whose first tag is {@code proxy}, with at most one more tag. */
    private Counter counter(String name, String description, String... tags) {
        String other = tags.length > 2 ? tags[3] : "";
        return cached(tags[1], name, other, () -> Counter.builder(name).description(description).tags(tags)
                .register(registry), Counter.class);
    }


    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }
}
