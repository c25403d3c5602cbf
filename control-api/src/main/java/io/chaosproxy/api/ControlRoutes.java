package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.ProxyRegistry;
import java.util.function.Supplier;

/** Puts this package's routes in a table: the Toxiproxy API, our extensions, the live event feed and the console. */
public final class ControlRoutes {
    private ControlRoutes() {
    }

    public static void addTo(RouteTable table, ProxyRegistry registry, ObjectMapper mapper, String version,
            Supplier<String> metricsText) {
        addTo(table, registry, mapper, version, metricsText, ApiSecurity.defaults(), true, ApiLimits.defaults());
    }

    /**
     * @param security the allow-lists requests must keep to
     * @param apiOnLoopback the API is reachable from this machine only (proxies beyond loopback get a warning)
     * @param limits the API server's limits: the event-stream cap is applied here, all are shown in /capabilities
     */
    public static void addTo(RouteTable table, ProxyRegistry registry, ObjectMapper mapper, String version,
            Supplier<String> metricsText, ApiSecurity security, boolean apiOnLoopback, ApiLimits limits) {
        JsonViews views = new JsonViews(mapper);
        JsonBodies json = new JsonBodies(mapper);
        EventFanOut fanOut = new EventFanOut(registry.engine().events(), mapper,
                registry.engine().metrics().registry(), limits.maxEventStreams());
        new InfoRoutes(registry, views, json, version, metricsText, limits).addTo(table);
        new ProxyRoutes(registry, views, json, new ProxyAddressPolicy(security, apiOnLoopback)).addTo(table);
        new ToxicRoutes(registry, views, json).addTo(table);
        // Server-Sent Events, fed by the event bus: served on the event loop, never on the control thread.
        table.stream("GET", "/events", (request, channel) -> EventStream.open(channel, request.query("proxy"),
                fanOut));
        ConsoleAssets.addTo(table); // the web console under /ui/: static files calling the routes above
    }
}
