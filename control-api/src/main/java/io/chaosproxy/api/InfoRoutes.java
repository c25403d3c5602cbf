package io.chaosproxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.toxic.ToxicEngine;
import io.chaosproxy.toxic.ToxicType;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** What the server is and can do: {@code /version}, {@code /metrics}, {@code /capabilities}, {@code /toxic-types}. */
final class InfoRoutes {
    private final ProxyRegistry registry;
    private final JsonViews views;
    private final JsonBodies json;
    private final String version;
    private final Supplier<String> metricsText;
    private final ApiLimits limits;

    InfoRoutes(ProxyRegistry registry, JsonViews views, JsonBodies json, String version, Supplier<String> metricsText,
            ApiLimits limits) {
        this.limits = limits;
        this.registry = registry;
        this.views = views;
        this.json = json;
        this.version = version;
        this.metricsText = metricsText;
    }

    void addTo(RouteTable table) {
        table.answer("GET", "/version", r -> version())
                .answer("GET", "/metrics", r -> new ApiResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                        metricsText.get().getBytes(StandardCharsets.UTF_8)))
                .answer("GET", "/capabilities", r -> json.json(200, capabilities()))
                .answer("GET", "/toxic-types", r -> toxicTypes());
    }

    private ApiResponse version() {
        ObjectNode n = json.mapper().createObjectNode();
        n.put("version", version);
        return json.json(200, n);
    }

    private ApiResponse toxicTypes() {
        ArrayNode a = json.mapper().createArrayNode();
        for (ToxicType t : registry.engine().toxicTypes().all()) {
            a.add(views.toxicType(t));
        }
        return json.json(200, a);
    }

    /** What works on this machine: the stream engine always, the packet engine only with its prerequisites. */
    private ObjectNode capabilities() {
        ObjectNode n = json.mapper().createObjectNode();
        n.put("transport", registry.engine().transport().name());
        n.put("io_threads", registry.engine().transport().threads());
        String why = registry.engine().packetFaults().unavailableReason();
        ObjectNode engines = n.putObject("engines");
        engines.putObject("stream").put("available", true);
        ObjectNode packet = engines.putObject("packet");
        packet.put("available", why == null);
        if (why != null) {
            packet.put("reason", why);
        }
        ObjectNode bounds = n.putObject("limits");
        bounds.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        bounds.put("api_max_connections", limits.maxConnections());
        bounds.put("api_max_event_streams", limits.maxEventStreams());
        bounds.put("api_header_timeout_ms", limits.headerTimeout().toMillis());
        bounds.put("api_idle_timeout_ms", limits.idleTimeout().toMillis());
        bounds.put("api_max_pipelined_requests", limits.maxPipelined());
        bounds.put("event_stream_queue_bytes", EventFanOut.QUEUE_BUDGET_BYTES);
        // Work that only feeds statistics and is sampled rather than done on every connection.
        n.putObject("sampling").put("tcp_info_closing_sample_every",
                registry.engine().config().tcpInfoSampleEvery());
        ArrayNode types = n.putArray("toxics");
        for (ToxicType t : registry.engine().toxicTypes().all()) {
            boolean isPacket = t.engine() == ToxicEngine.PACKET;
            ObjectNode entry = types.addObject();
            entry.put("type", t.name());
            entry.put("phase", t.phase().jsonName());
            entry.put("engine", t.engine().jsonName());
            entry.put("available", !isPacket || why == null);
            if (isPacket && why != null) {
                entry.put("reason", why);
            }
        }
        return n;
    }
}
