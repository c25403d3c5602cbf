package io.chaosproxy.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.api.ControlApiServer;
import io.chaosproxy.api.Routes;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.ProxyEngine;
import io.chaosproxy.engine.PacketFaults;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.packet.PacketEngine;
import io.chaosproxy.toxic.ToxicTypes;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Properties;

/** The whole running program: engine, proxies, metrics and the control API, started and stopped together. */
public final class ChaosProxyServer implements AutoCloseable {
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ProxyEngine engine;
    private final ProxyRegistry registry;
    private final ControlApiServer api;

    /** An embedded server without the packet engine (it would change the host's firewall rules). */
    public ChaosProxyServer(String host, int port, EngineConfig config) {
        this(host, port, config, false);
    }

    /**
     * @param packetEngine start the NFQUEUE packet engine when this machine allows it (Linux, CAP_NET_ADMIN,
     *     iptables); where it cannot run, packet toxics answer 422 with the reason
     */
    public ChaosProxyServer(String host, int port, EngineConfig config, boolean packetEngine) {
        bindProcessMetrics();
        this.engine = new ProxyEngine(config, meters, ToxicTypes.builtIn());
        engine.usePacketFaults(packetEngine ? PacketEngine.start(meters)
                : PacketFaults.unavailable("the packet engine is turned off (--no-packet-engine, or a server embedded in a test)"));
        this.registry = new ProxyRegistry(engine);
        ObjectMapper mapper = new ObjectMapper();
        Routes routes = new Routes(registry, mapper, version(), meters::scrape);
        try {
            this.api = ControlApiServer.start(engine.transport(), host, port, routes, engine.events(), mapper);
        } catch (RuntimeException e) {
            registry.close();
            engine.close();
            throw e;
        }
    }

    private void bindProcessMetrics() {
        new ClassLoaderMetrics().bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        gcMetrics.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        new FileDescriptorMetrics().bindTo(meters);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetricProvider alloc = (ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT;
            Gauge.builder("chaosproxy.buffers.direct", alloc, a -> a.metric().usedDirectMemory())
                    .baseUnit("bytes").description("direct memory held by the proxy's buffer allocator")
                    .register(meters);
        }
    }

    public ProxyRegistry registry() {
        return registry;
    }

    public ProxyEngine engine() {
        return engine;
    }

    public InetSocketAddress apiAddress() {
        return api.address();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    public static String version() {
        Properties p = new Properties();
        try (InputStream in = ChaosProxyServer.class.getResourceAsStream("/chaos-proxy-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through to "dev"
        }
        return p.getProperty("version", "dev");
    }

    /** Stops the API first (no new changes), then every proxy and its connections, then the event loops. */
    @Override
    public void close() {
        api.close();
        registry.close();
        engine.close();
        gcMetrics.close();
        meters.close();
    }
}
