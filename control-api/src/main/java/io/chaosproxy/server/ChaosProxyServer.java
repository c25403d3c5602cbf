package io.chaosproxy.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.api.ApiLimits;
import io.chaosproxy.api.ApiSecurity;
import io.chaosproxy.api.ControlApiServer;
import io.chaosproxy.api.ControlRoutes;
import io.chaosproxy.api.RouteTable;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.ProxyEngine;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.packet.PacketEngine;
import io.chaosproxy.scenario.ScenarioRoutes;
import io.chaosproxy.scenario.ScenarioRuns;
import io.chaosproxy.toxic.PacketFaults;
import io.chaosproxy.toxic.types.BuiltInToxics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Properties;

/** The whole running program: engine, proxies, metrics and the control API, started and stopped together. */
public final class ChaosProxyServer implements AutoCloseable {
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ProcessMetrics processMetrics = new ProcessMetrics();
    private final ProxyEngine engine;
    private final ProxyRegistry registry;
    /** Scenario runs asked for over the API: seconds each, so off the API's control thread. */
    private final ScenarioRuns scenarioRuns = new ScenarioRuns();
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
        this(host, port, config, packetEngine, ApiSecurity.defaults());
    }

    /** @param security the API's allowed Host names, token and allow-lists (the browser protection is always on) */
    public ChaosProxyServer(String host, int port, EngineConfig config, boolean packetEngine, ApiSecurity security) {
        this(host, port, config, packetEngine, security, ApiLimits.defaults());
    }

    /** @param apiLimits timeouts and caps of the control API's connections (see {@link ApiLimits}) */
    public ChaosProxyServer(String host, int port, EngineConfig config, boolean packetEngine, ApiLimits apiLimits) {
        this(host, port, config, packetEngine, ApiSecurity.defaults(), apiLimits);
    }

    /**
     * @param security the API's allowed Host names, token and allow-lists (the browser protection is always on)
     * @param apiLimits timeouts and caps of the control API's connections (see {@link ApiLimits})
     */
    public ChaosProxyServer(String host, int port, EngineConfig config, boolean packetEngine, ApiSecurity security,
            ApiLimits apiLimits) {
        StartupWarmUp.awaitNetty();
        AllocatorMetrics.bindTo(meters); // first: it renames a meter with a filter, which must precede every meter
        this.engine = new ProxyEngine(config, meters, BuiltInToxics.registry());
        engine.usePacketFaults(packetEngine ? PacketEngine.start(meters)
                : PacketFaults.unavailable("the packet engine is turned off (--no-packet-engine, or a server embedded in a test)"));
        this.registry = new ProxyRegistry(engine);
        StartupWarmUp.awaitJson(); // never initialise Jackson's classes on two threads at once
        ObjectMapper mapper = new ObjectMapper();
        RouteTable routes = new RouteTable();
        ControlRoutes.addTo(routes, registry, mapper, version(), this::scrape, security,
                ApiSecurity.loopbackOnly(host), apiLimits);
        new ScenarioRoutes(registry, scenarioRuns).addTo(routes);
        try {
            this.api = ControlApiServer.start(engine.transport(), host, port, routes, mapper, security, apiLimits);
        } catch (RuntimeException e) {
            scenarioRuns.close();
            registry.close();
            engine.close();
            throw e;
        }
        processMetrics.bindInBackground(meters);
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

    /** Every meter, the JVM's and the process's included (this waits for their binding, at most ms after start). */
    public PrometheusMeterRegistry meters() {
        processMetrics.awaitBound();
        return meters;
    }

    private String scrape() {
        processMetrics.awaitBound();
        return meters.scrape();
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

    /**
     * Stops the API first (no new changes), then the scenario runs (they use the registry), then every proxy and
     * its connections, then the event loops.
     */
    @Override
    public void close() {
        api.close();
        scenarioRuns.close();
        registry.close();
        engine.close();
        processMetrics.close();
        meters.close();
    }
}
