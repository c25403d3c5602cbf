package io.chaosproxy.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A toxic being described; {@link #create()} sends it. Common to every type: {@link #upstream()} /
 * {@link #downstream()} (default downstream), {@link #toxicity(double)}, {@link #selector(Selector)},
 * {@link #schedule(Duration, Duration)} and {@link #seed(long)}. The typed subclasses add their attributes.
 *
 * @param <B> the concrete builder, so every call chains
 */
public abstract class ToxicBuilder<B extends ToxicBuilder<B>> {
    private final ChaosProxyClient client;
    private final ProxyHandle proxy;
    private final String name;
    private final ToxicType type;
    private final String typeName;
    private Stream stream;
    private Double toxicity;
    private Selector selector;
    private Long scheduleStartMs;
    private Long scheduleDurationMs;
    private Long seed;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    ToxicBuilder(ChaosProxyClient client, ProxyHandle proxy, String name, ToxicType type, String typeName) {
        this.client = client;
        this.proxy = proxy;
        this.name = name;
        this.type = type;
        this.typeName = typeName;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Acts on client-to-server bytes (and the client's FIN). */
    public B upstream() {
        return stream(Stream.UPSTREAM);
    }

    /** Acts on server-to-client bytes (and the server's FIN). The default. */
    public B downstream() {
        return stream(Stream.DOWNSTREAM);
    }

    public B stream(Stream s) {
        this.stream = s;
        return self();
    }

    /** Chance (0..1) that the toxic applies to a connection direction, rolled once per connection. Default 1. */
    public B toxicity(double t) {
        this.toxicity = t;
        return self();
    }

    /** Which connections it applies to: {@code Selector.first(2)}, {@code Selector.every(3)}, ... */
    public B selector(Selector s) {
        this.selector = s;
        return self();
    }

    /** Arms after {@code startAfter}, removes itself {@code duration} later ({@link Duration#ZERO}: until removed). */
    public B schedule(Duration startAfter, Duration duration) {
        return scheduleMs(startAfter.toMillis(), duration.toMillis());
    }

    public B scheduleMs(long startAfterMs, long durationMs) {
        this.scheduleStartMs = startAfterMs;
        this.scheduleDurationMs = durationMs;
        return self();
    }

    /** Seeds this toxic's random choices (toxicity, jitter, slicing...) so a run can be replayed. */
    public B seed(long s) {
        this.seed = s;
        return self();
    }

    /** Sets any attribute by its API name (for attributes of a newer server this client has no method for). */
    public B attribute(String attributeName, Object value) {
        attributes.put(attributeName, value);
        return self();
    }

    /** The request body this builder sends. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (name != null) {
            m.put("name", name);
        }
        m.put("type", typeName);
        if (stream != null) {
            m.put("stream", stream.jsonName());
        }
        if (toxicity != null) {
            m.put("toxicity", toxicity);
        }
        if (!attributes.isEmpty()) {
            m.put("attributes", new LinkedHashMap<>(attributes));
        }
        if (selector != null) {
            m.put("selector", selector.toJson());
        }
        if (scheduleStartMs != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("start_after_ms", scheduleStartMs);
            s.put("duration_ms", scheduleDurationMs);
            m.put("schedule", s);
        }
        if (seed != null) {
            m.put("seed", seed);
        }
        return m;
    }

    /** The type being built (null for a type name this client does not know). */
    public ToxicType type() {
        return type;
    }

    /**
     * Creates the toxic; it applies at once, to open connections too.
     *
     * @throws ChaosProxyException 400 bad attribute, 404 no such proxy, 409 name taken, 422 engine unavailable
     */
    public ToxicHandle create() {
        String refusal = proxy.packetToxicsRefusal();
        if (refusal != null && type != null && type.engine() == Engine.PACKET) {
            throw new IllegalStateException("cannot create packet toxic " + typeName + ": " + refusal);
        }
        ToxicInfo info = client.call("POST", proxy.path() + "/toxics", toJson(), ToxicInfo.class);
        return new ToxicHandle(client, proxy, info);
    }

    // ---------------------------------------------------------------- typed builders

    /** {@code latency}: every chunk arrives {@code latency ± jitter} ms late. */
    public static final class Latency extends ToxicBuilder<Latency> {
        Latency(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.LATENCY, "latency");
        }

        public Latency latency(long ms) {
            return attribute("latency", ms);
        }

        /** The added delay: {@code latency().ms(200)} reads as what it does. */
        public Latency ms(long ms) {
            return latency(ms);
        }

        public Latency latency(Duration d) {
            return latency(d.toMillis());
        }

        public Latency jitter(long ms) {
            return attribute("jitter", ms);
        }
    }

    /** {@code bandwidth}: throughput capped at {@code rate} KB/s (1 KB = 1000 B); 0 lets nothing through. */
    public static final class Bandwidth extends ToxicBuilder<Bandwidth> {
        Bandwidth(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.BANDWIDTH, "bandwidth");
        }

        public Bandwidth rate(long kilobytesPerSecond) {
            return attribute("rate", kilobytesPerSecond);
        }
    }

    /** {@code timeout}: no data passes; after {@code timeout} ms the connection is closed (0: never). */
    public static final class Timeout extends ToxicBuilder<Timeout> {
        Timeout(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.TIMEOUT, "timeout");
        }

        public Timeout timeout(long ms) {
            return attribute("timeout", ms);
        }
    }

    /** {@code reset_peer}: RST to both sides after {@code timeout} ms, or once {@code after_bytes} have passed. */
    public static final class ResetPeer extends ToxicBuilder<ResetPeer> {
        ResetPeer(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.RESET_PEER, "reset_peer");
        }

        public ResetPeer timeout(long ms) {
            return attribute("timeout", ms);
        }

        /** Exactly this many bytes pass in this direction, then the RST. */
        public ResetPeer afterBytes(long bytes) {
            return attribute("after_bytes", bytes);
        }
    }

    /** {@code slicer}: data arrives in {@code average_size ± size_variation} byte pieces, {@code delay} µs apart. */
    public static final class Slicer extends ToxicBuilder<Slicer> {
        Slicer(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.SLICER, "slicer");
        }

        public Slicer averageSize(long bytes) {
            return attribute("average_size", bytes);
        }

        public Slicer sizeVariation(long bytes) {
            return attribute("size_variation", bytes);
        }

        public Slicer delayMicros(long micros) {
            return attribute("delay", micros);
        }
    }

    /** {@code limit_data}: exactly {@code bytes} pass, then the connection is closed. */
    public static final class LimitData extends ToxicBuilder<LimitData> {
        LimitData(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.LIMIT_DATA, "limit_data");
        }

        public LimitData bytes(long bytes) {
            return attribute("bytes", bytes);
        }
    }

    /**
     * A toxic with one {@code delay} attribute in ms: {@code slow_close}, {@code accept_delay}, {@code fin_delay},
     * {@code synack_delay}, {@code ack_delay}, {@code upstream_synack_delay}.
     */
    public static final class Delay extends ToxicBuilder<Delay> {
        Delay(ChaosProxyClient c, ProxyHandle p, String n, ToxicType t) {
            super(c, p, n, t, t.apiName());
        }

        public Delay delay(long ms) {
            return attribute("delay", ms);
        }

        public Delay delay(Duration d) {
            return delay(d.toMillis());
        }
    }

    /**
     * A packet toxic with one {@code count} attribute (segments to drop per attempt; 0 = all): {@code syn_drop},
     * {@code synack_drop}, {@code ack_drop}, {@code fin_drop_packet}, {@code upstream_syn_drop}.
     */
    public static final class Count extends ToxicBuilder<Count> {
        Count(ChaosProxyClient c, ProxyHandle p, String n, ToxicType t) {
            super(c, p, n, t, t.apiName());
        }

        public Count count(int segments) {
            return attribute("count", segments);
        }

        /** Drop every one: {@code count(0)}. */
        public Count all() {
            return count(0);
        }
    }

    /** A toxic without attributes: {@code noop}, {@code upstream_refuse}, {@code rst_on_close}, {@code refuse}. */
    public static final class Plain extends ToxicBuilder<Plain> {
        Plain(ChaosProxyClient c, ProxyHandle p, String n, ToxicType t, String typeName) {
            super(c, p, n, t, typeName);
        }
    }

    /** {@code upstream_blackhole}: never dials; the client hears nothing for {@code timeout}, then rst, fin or hold. */
    public static final class UpstreamBlackhole extends ToxicBuilder<UpstreamBlackhole> {
        UpstreamBlackhole(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.UPSTREAM_BLACKHOLE, "upstream_blackhole");
        }

        public UpstreamBlackhole timeout(long ms) {
            return attribute("timeout", ms);
        }

        public UpstreamBlackhole then(BlackholeThen then) {
            return attribute("then", then.jsonName());
        }
    }

    /** {@code stall}: reading stops (zero window) for {@code duration} ms (0: until removed); no byte lost. */
    public static final class Stall extends ToxicBuilder<Stall> {
        Stall(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.STALL, "stall");
        }

        public Stall duration(long ms) {
            return attribute("duration", ms);
        }
    }

    /** {@code corrupt}: a bit flipped in a fraction {@code rate} of bytes, or in every {@code every_n}-th byte. */
    public static final class Corrupt extends ToxicBuilder<Corrupt> {
        Corrupt(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.CORRUPT, "corrupt");
        }

        public Corrupt rate(double fractionOfBytes) {
            return attribute("rate", fractionOfBytes);
        }

        public Corrupt everyN(long n) {
            return attribute("every_n", n);
        }
    }

    /** {@code packet_loss}: whole chunks dropped with probability {@code loss_rate}; correlation makes bursts. */
    public static final class PacketLoss extends ToxicBuilder<PacketLoss> {
        PacketLoss(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.PACKET_LOSS, "packet_loss");
        }

        public PacketLoss lossRate(double rate) {
            return attribute("loss_rate", rate);
        }

        public PacketLoss correlation(double correlation) {
            return attribute("correlation", correlation);
        }
    }

    /** {@code fin_drop}: the FIN is swallowed (half-open); after {@code then_ms}, {@code then}: rst, fin or none. */
    public static final class FinDrop extends ToxicBuilder<FinDrop> {
        FinDrop(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.FIN_DROP, "fin_drop");
        }

        public FinDrop thenMs(long ms) {
            return attribute("then_ms", ms);
        }

        public FinDrop then(FinThen then) {
            return attribute("then", then.jsonName());
        }
    }

    /** {@code tls_hello_stall}: the ClientHello held for {@code duration} ms (0: until removed). */
    public static final class TlsHelloStall extends ToxicBuilder<TlsHelloStall> {
        TlsHelloStall(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.TLS_HELLO_STALL, "tls_hello_stall");
        }

        public TlsHelloStall duration(long ms) {
            return attribute("duration", ms);
        }
    }

    /** {@code tls_reset_after}: RST to both sides at a handshake step. */
    public static final class TlsResetAfter extends ToxicBuilder<TlsResetAfter> {
        TlsResetAfter(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.TLS_RESET_AFTER, "tls_reset_after");
        }

        public TlsResetAfter step(TlsStep step) {
            return attribute("step", step.jsonName());
        }
    }

    /** {@code tls_cut_flight}: only the first {@code bytes} of the server's flight pass, then fin or rst. */
    public static final class TlsCutFlight extends ToxicBuilder<TlsCutFlight> {
        TlsCutFlight(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.TLS_CUT_FLIGHT, "tls_cut_flight");
        }

        public TlsCutFlight bytes(long bytes) {
            return attribute("bytes", bytes);
        }

        public TlsCutFlight then(CloseWith then) {
            return attribute("then", then.jsonName());
        }
    }

    /** {@code tls_close_after_handshake}: fin or rst as soon as the handshake is done. */
    public static final class TlsCloseAfterHandshake extends ToxicBuilder<TlsCloseAfterHandshake> {
        TlsCloseAfterHandshake(ChaosProxyClient c, ProxyHandle p, String n) {
            super(c, p, n, ToxicType.TLS_CLOSE_AFTER_HANDSHAKE, "tls_close_after_handshake");
        }

        public TlsCloseAfterHandshake then(CloseWith then) {
            return attribute("then", then.jsonName());
        }
    }
}
