package io.chaosproxy.metrics;

import io.chaosproxy.model.CloseReason;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.DialOutcome;
import io.chaosproxy.model.EventListener;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
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
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

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
    /**
     * The meters of each proxy, made as they are first needed (a series exists only once something happened). An
     * event costs one lookup by proxy name (whose hash the string caches) and then array or field reads: no key
     * objects or tag arrays per event, which showed in allocation profiles of connection churn.
     */
    private final ConcurrentMap<String, ProxyMeters> byProxy = new ConcurrentHashMap<>();
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
        return Counter.builder(BYTES).description("bytes forwarded, counted as they are read")
                .tags("proxy", proxy, "direction", direction).register(registry);
    }

    @Override
    public void onEvent(ConnectionEvent e) {
        switch (e.type()) {
            case ACCEPTED -> {
                ProxyMeters m = meters(e.proxy());
                m.accepted().increment();
                m.active.incrementAndGet();
            }
            case UPSTREAM_CONNECTED, UPSTREAM_FAILED -> meters(e.proxy()).connect(e.outcome())
                    .record(e.durationNanos(), TimeUnit.NANOSECONDS);
            case TOXIC_APPLIED -> meters(e.proxy()).applied(e.toxic()).increment();
            case TOXIC_ACTION -> meters(e.proxy()).action(e.action().kind()).increment();
            case FIRST_BYTE -> firstByte(e);
            case CLOSED -> {
                ProxyMeters m = meters(e.proxy());
                m.active.decrementAndGet();
                m.closed(e.reason()).increment();
                m.duration().record(e.durationNanos(), TimeUnit.NANOSECONDS);
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
        ProxyMeters m = meters(e.proxy());
        // Bytes from the server reach the client leg: time to first byte as the client sees it.
        m.firstByte(Leg.CLIENT).record(e.sinceAcceptNanos(), TimeUnit.NANOSECONDS);
        // The connection puts the time since the client's first byte in the event (0 if the server spoke first).
        if (e.durationNanos() > 0) {
            m.firstByte(Leg.SERVER).record(e.durationNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Bytes one connection carried each way, recorded when it closes. */
    public void connectionClosed(String proxy, long bytesUpstream, long bytesDownstream) {
        ProxyMeters m = meters(proxy);
        m.connectionBytes(0).record(bytesUpstream);
        m.connectionBytes(1).record(bytesDownstream);
    }

    private ProxyMeters meters(String proxy) {
        ProxyMeters m = byProxy.get(proxy);
        return m != null ? m : byProxy.computeIfAbsent(proxy, ProxyMeters::new);
    }

    /**
     * One proxy's meters. Each is made on first use; two threads racing to make one both get the same meter from
     * Micrometer (same name and tags), so the slots need no lock, only safe publication (the atomic arrays).
     */
    private final class ProxyMeters {
        private final String proxy;
        private final AtomicLong active = new AtomicLong();
        private final AtomicReferenceArray<Meter> closed = new AtomicReferenceArray<>(CloseReason.values().length);
        private final AtomicReferenceArray<Meter> connect = new AtomicReferenceArray<>(DialOutcome.values().length);
        private final AtomicReferenceArray<Meter> actions =
                new AtomicReferenceArray<>(ToxicAction.Kind.values().length);
        private final ConcurrentMap<String, Counter> applied = new ConcurrentHashMap<>();
        /** accepted, duration, first byte (client, server), connection bytes (up, down). */
        private final AtomicReferenceArray<Meter> single = new AtomicReferenceArray<>(6);
        private final AtomicReferenceArray<TcpInfoMeters> tcpInfo = new AtomicReferenceArray<>(Leg.values().length);

        ProxyMeters(String proxy) {
            this.proxy = proxy;
            Gauge.builder(ACTIVE, active, AtomicLong::get).description("connections open now")
                    .tag("proxy", proxy).register(registry);
        }

        Counter accepted() {
            Meter m = single.get(0);
            // The maker (a capturing lambda, an object) is built only on the first use.
            return (Counter) (m != null ? m : slot(single, 0, () -> Counter.builder(ACCEPTED)
                    .description("connections accepted").tag("proxy", proxy).register(registry)));
        }

        Timer duration() {
            Meter m = single.get(1);
            return (Timer) (m != null ? m : slot(single, 1, () -> Timer.builder(DURATION)
                    .description("connection lifetime from accept to close").tag("proxy", proxy)
                    .serviceLevelObjectives(DURATION_BUCKETS).register(registry)));
        }

        Timer firstByte(Leg leg) {
            Meter m = single.get(2 + leg.ordinal());
            return (Timer) (m != null ? m : slot(single, 2 + leg.ordinal(), () -> Timer.builder(FIRST_BYTE)
                    .description("client leg: the server's first byte reached the proxy, from accept (before any "
                            + "toxic delays it); server leg: the server's first byte after the client's")
                    .tags("proxy", proxy, "leg", leg.label()).serviceLevelObjectives(FIRST_BYTE_BUCKETS)
                    .register(registry)));
        }

        /** index 0 = upstream, 1 = downstream. */
        DistributionSummary connectionBytes(int index) {
            // No buckets (count, sum and max only): the mean per connection is what the dashboards show.
            Meter m = single.get(4 + index);
            return (DistributionSummary) (m != null ? m : slot(single, 4 + index, () -> DistributionSummary
                    .builder(CONNECTION_BYTES).baseUnit("bytes").description("bytes one connection carried, by direction")
                    .tags("proxy", proxy, "direction", index == 0 ? "upstream" : "downstream").register(registry)));
        }

        Counter closed(CloseReason reason) {
            Meter m = closed.get(reason.ordinal());
            return (Counter) (m != null ? m : slot(closed, reason.ordinal(), () -> Counter.builder(CLOSED)
                    .description("connections closed, by reason").tags("proxy", proxy, "reason", reason.label())
                    .register(registry)));
        }

        Timer connect(DialOutcome outcome) {
            Meter m = connect.get(outcome.ordinal());
            return (Timer) (m != null ? m : slot(connect, outcome.ordinal(), () -> Timer.builder(UPSTREAM_CONNECT)
                    .description("time to dial the upstream, by outcome").tags("proxy", proxy, "outcome",
                            outcome.label()).serviceLevelObjectives(CONNECT_BUCKETS).register(registry)));
        }

        Counter action(ToxicAction.Kind kind) {
            Meter m = actions.get(kind.ordinal());
            return (Counter) (m != null ? m : slot(actions, kind.ordinal(), () -> Counter.builder(TOXIC_ACTIONS)
                    .description("visible things toxics did (swallowed FIN, RST, ...)")
                    .tags("proxy", proxy, "action", kind.label()).register(registry)));
        }

        Counter applied(String type) {
            Counter c = applied.get(type);
            return c != null ? c : applied.computeIfAbsent(type, t -> Counter.builder(TOXICS_APPLIED)
                    .description("toxics that acted on a connection direction").tags("proxy", proxy, "type", t)
                    .register(registry));
        }

        TcpInfoMeters tcpInfo(Leg leg) {
            TcpInfoMeters m = tcpInfo.get(leg.ordinal());
            if (m == null) {
                String l = leg.label();
                m = new TcpInfoMeters(
                        tcpSummary(TCP_RTT, "smoothed round-trip time", proxy, l, "seconds"),
                        tcpSummary(TCP_RTT_VARIANCE, "round-trip time variance", proxy, l, "seconds"),
                        tcpSummary(TCP_CWND, "congestion window", proxy, l, "segments"),
                        Counter.builder(TCP_RETRANSMITS).description("segments retransmitted (TCP_INFO totalRetrans)")
                                .tags("proxy", proxy, "leg", l).register(registry),
                        Counter.builder(TCP_LOST).description("segments the kernel considered lost (TCP_INFO lost)")
                                .tags("proxy", proxy, "leg", l).register(registry));
                tcpInfo.compareAndSet(leg.ordinal(), null, m);
                m = tcpInfo.get(leg.ordinal());
            }
            return m;
        }
    }

    /** Fills an empty slot (a racing thread may have filled it first: its meter is the same) and returns it. */
    private static Meter slot(AtomicReferenceArray<Meter> slots, int index, Supplier<? extends Meter> make) {
        slots.compareAndSet(index, null, make.get());
        return slots.get(index);
    }

    /**
     * The TCP_INFO meters of one proxy and leg, looked up once per sampler: a sample records six meters per leg, so
     * looking each up per sample showed in profiles of connection churn.
     */
    public TcpInfoMeters tcpInfoMeters(String proxy, Leg leg) {
        return meters(proxy).tcpInfo(leg);
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
        activeToxics.keySet().removeIf(key -> key.get(0).equals(proxy));
        for (Meter m : List.copyOf(registry.getMeters())) {
            if (proxy.equals(m.getId().getTag("proxy"))) {
                registry.remove(m);
            }
        }
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] d = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            d[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return d;
    }
}
