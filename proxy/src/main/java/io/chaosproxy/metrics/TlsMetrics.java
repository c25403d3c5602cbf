package io.chaosproxy.metrics;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventListener;
import io.chaosproxy.model.EventType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * TLS handshake meters, fed by the TLS reader's events: handshake duration per proxy and the negotiated version.
 * Labels stay bounded: the version is one of a fixed set of names (TLSv1.3, TLSv1.2, ..., other), and no series is
 * ever made per server name. Only connections read by the TLS reader (a TLS toxic or tls_aware) are counted.
 * Meters are looked up per handshake rather than cached, so deleting a proxy (which removes its series from the
 * registry) leaves nothing stale here.
 */
public final class TlsMetrics implements EventListener {
    public static final String HANDSHAKE = "chaosproxy.tls.handshake";
    public static final String VERSIONS = "chaosproxy.tls.versions";
    /** Handshake time as the proxy sees it (ClientHello to the last Finished): 1 ms to 10 s. */
    static final Duration[] HANDSHAKE_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
        Duration.ofSeconds(1), Duration.ofSeconds(10)};

    private final MeterRegistry registry;

    public TlsMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void onEvent(ConnectionEvent e) {
        if (e.type() != EventType.TLS_HANDSHAKE_DONE) {
            return;
        }
        Timer.builder(HANDSHAKE).description("TLS handshakes through the proxy, ClientHello to the last Finished")
                .tag("proxy", e.proxy()).serviceLevelObjectives(HANDSHAKE_BUCKETS).register(registry)
                .record(e.durationNanos(), TimeUnit.NANOSECONDS);
        String version = e.tls() == null || e.tls().version() == null ? "unknown" : e.tls().version();
        Counter.builder(VERSIONS).description("completed TLS handshakes by negotiated version")
                .tags("proxy", e.proxy(), "version", version).register(registry).increment();
    }
}
