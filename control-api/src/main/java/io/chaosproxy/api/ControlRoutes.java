package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.ProxyRegistry;
import java.util.function.Supplier;

/** Puts this package's routes in a table: the Toxiproxy API, our extensions and the live event feed. */
public final class ControlRoutes {
    private ControlRoutes() {
    }

    public static void addTo(RouteTable table, ProxyRegistry registry, ObjectMapper mapper, String version,
            Supplier<String> metricsText) {
        addTo(table, registry, mapper, version, metricsText, ApiLimits.defaults());
    }

    /** @param limits the API server's limits: the event-stream cap is applied here, all are shown in /capabilities */
    public static void addTo(RouteTable table, ProxyRegistry registry, ObjectMapper mapper, String version,
            Supplier<String> metricsText, ApiLimits limits) {
        JsonViews views = new JsonViews(mapper);
        JsonBodies json = new JsonBodies(mapper);
        EventFanOut fanOut = new EventFanOut(registry.engine().events(), mapper,
                registry.engine().metrics().registry(), limits.maxEventStreams());
        new InfoRoutes(registry, views, json, version, metricsText, limits).addTo(table);
        new ProxyRoutes(registry, views, json).addTo(table);
        new ToxicRoutes(registry, views, json).addTo(table);
        // Server-Sent Events, fed by the event bus: served on the event loop, never on the control thread.
        table.stream("GET", "/events", (request, channel) -> EventStream.open(channel, request.query("proxy"),
                fanOut));
    }
}
