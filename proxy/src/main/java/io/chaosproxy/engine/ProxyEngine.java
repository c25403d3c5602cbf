package io.chaosproxy.engine;

import io.chaosproxy.toxic.PacketFaults;
import io.chaosproxy.metrics.ProxyMetrics;
import io.chaosproxy.toxic.ToxicTypes;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.WriteBufferWaterMark;

/** The shared parts every proxy uses: event loops, settings, events, metrics, toxic types, the resolver. */
public final class ProxyEngine implements AutoCloseable {
    private final EngineConfig config;
    private final Transport transport;
    private final EventBus events = new EventBus();
    private final ProxyMetrics metrics;
    private final ToxicTypes toxicTypes;
    private final UpstreamResolver resolver = new UpstreamResolver();
    private final Dialer dialer = new Dialer(this);
    private final WriteBufferWaterMark waterMark;
    private final AcceptBackoff acceptBackoff = new AcceptBackoff("proxy listeners");
    private volatile PacketFaults packetFaults = PacketFaults.unavailable("the packet engine was not started");

    public ProxyEngine(EngineConfig config, MeterRegistry meterRegistry, ToxicTypes toxicTypes) {
        this.config = config;
        ErrorPathWarmUp.run();
        this.transport = Transport.create(config.transport(), config.ioThreads());
        this.metrics = new ProxyMetrics(meterRegistry);
        this.toxicTypes = toxicTypes;
        this.waterMark = new WriteBufferWaterMark(config.writeBufferLowBytes(), config.writeBufferHighBytes());
        events.subscribe(metrics);
        events.subscribe(new io.chaosproxy.metrics.TlsMetrics(meterRegistry));
        FunctionCounter.builder("chaosproxy.event.loop.failures", this, e -> LoopFailures.count())
                .description("throwables that escaped an event-loop thread (0 unless something is badly wrong)")
                .register(meterRegistry);
    }

    /**
     * Loads what the error paths need (see ErrorPathWarmUp) now, on the calling thread; an engine constructed later
     * finds it done. A server calls this on a second thread while it parses its command line.
     */
    public static void warmUpErrorPaths() {
        ErrorPathWarmUp.run();
    }

    public EngineConfig config() {
        return config;
    }

    public Transport transport() {
        return transport;
    }

    public EventBus events() {
        return events;
    }

    public ProxyMetrics metrics() {
        return metrics;
    }

    public ToxicTypes toxicTypes() {
        return toxicTypes;
    }

    /** The packet engine (NFQUEUE), or a stand-in that says why packet toxics are unavailable. */
    public PacketFaults packetFaults() {
        return packetFaults;
    }

    public void usePacketFaults(PacketFaults faults) {
        this.packetFaults = faults;
    }

    Dialer dialer() {
        return dialer;
    }

    UpstreamResolver resolver() {
        return resolver;
    }

    AcceptBackoff acceptBackoff() {
        return acceptBackoff;
    }

    WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    @Override
    public void close() {
        packetFaults.close();
        resolver.close();
        transport.close();
    }
}
