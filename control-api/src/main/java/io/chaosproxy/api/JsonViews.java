package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicType;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.timeline.ConnectionSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** Renders engine objects in Toxiproxy 2.12's JSON shapes (plus our extra fields where Toxiproxy has none). */
public final class JsonViews {
    private final ObjectMapper mapper;

    public JsonViews(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public ObjectNode proxy(Proxy proxy) {
        ObjectNode n = mapper.createObjectNode();
        n.put("name", proxy.name());
        n.put("listen", proxy.listenText());
        n.put("upstream", proxy.upstreamAddress().toString());
        n.put("enabled", proxy.enabled());
        if (proxy.tlsAware()) {
            n.put("tls_aware", true); // ours: shown only when set, so Toxiproxy clients see the shape they know
        }
        ArrayNode toxics = n.putArray("toxics");
        for (Toxic t : inToxiproxyOrder(proxy.toxicsSnapshot())) {
            toxics.add(toxic(t));
        }
        return n;
    }

    /**
     * A proxy's toxics as Toxiproxy 2.12 lists them: upstream first, then downstream, each in creation order (the
     * engine keeps one list in creation order; an update keeps a toxic's place).
     */
    static List<Toxic> inToxiproxyOrder(List<Toxic> toxics) {
        List<Toxic> out = new ArrayList<>(toxics);
        out.sort(Comparator.comparing(Toxic::stream)); // stable: creation order within a direction
        return out;
    }

    public ObjectNode toxic(Toxic toxic) {
        ObjectNode n = mapper.createObjectNode();
        n.put("name", toxic.name());
        n.put("type", toxic.type().name());
        n.put("stream", toxic.stream().jsonName());
        n.put("toxicity", toxic.toxicity());
        ObjectNode attrs = n.putObject("attributes");
        for (Map.Entry<String, Object> e : toxic.attributes().asMap().entrySet()) {
            attrs.putPOJO(e.getKey(), e.getValue());
        }
        // Our extensions appear only when used, so Toxiproxy clients see exactly the shape they know.
        if (toxic.selector() != null) {
            n.set("selector", mapper.valueToTree(toxic.selector().toJson()));
        }
        if (toxic.schedule() != null) {
            n.set("schedule", mapper.valueToTree(toxic.schedule().toJson(toxic.armed())));
        }
        if (toxic.seed() != null) {
            n.put("seed", toxic.seed());
        }
        // How many connections (packet engine: connection attempts) went through the proxy while the toxic was armed:
        // 0 means it could not have tested anything (a silent bypass). One field more than Toxiproxy's shape; its
        // clients ignore fields they do not know.
        n.put("connections_seen", toxic.trafficSeen().get());
        return n;
    }

    /** One connection and its timeline. Times in the events are µs since the connection was accepted. */
    public ObjectNode connection(ConnectionSummary c) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", c.id());
        n.put("proxy", c.proxy());
        n.put("client", c.client());
        n.put("started_at", Instant.ofEpochMilli(c.startEpochMillis()).toString());
        n.put("state", c.state());
        ObjectNode bytes = n.putObject("bytes");
        bytes.put("upstream", c.bytesUpstream());
        bytes.put("downstream", c.bytesDownstream());
        if (c.closeReason() != null) {
            n.put("close_reason", c.closeReason());
        }
        ArrayNode events = n.putArray("events");
        for (ConnectionEvent e : c.events()) {
            events.add(event(e));
        }
        if (c.eventsDropped() > 0) {
            n.put("events_dropped", c.eventsDropped());
        }
        return n;
    }

    private ObjectNode event(ConnectionEvent e) {
        ObjectNode n = mapper.createObjectNode();
        n.put("t_us", e.sinceAcceptNanos() / 1000);
        n.put("type", e.type().jsonName());
        if (e.leg() != null) {
            n.put("leg", e.leg().label());
        }
        if (e.detail() != null) {
            n.put("detail", e.detail());
        }
        // The same subject as typed fields, so clients read a field rather than parse "detail".
        if (e.address() != null) {
            n.put("address", e.address());
        }
        if (e.outcome() != null) {
            n.put("outcome", e.outcome().label());
        }
        if (e.toxic() != null) {
            n.put("toxic", e.toxic());
        }
        if (e.action() != null) {
            n.put("action", e.action().label());
            n.put("amount", e.action().amount());
        }
        if (e.reason() != null) {
            n.put("reason", e.reason().label());
        }
        if (e.durationNanos() > 0) {
            n.put("duration_us", e.durationNanos() / 1000);
        }
        if (e.tls() != null) {
            tls(n, e.tls());
        }
        return n;
    }

    /** What the TLS reader read, as typed fields beside the event's detail. */
    private static void tls(ObjectNode n, io.chaosproxy.model.TlsDetails t) {
        if (t.sni() != null) {
            n.put("sni", t.sni());
        }
        if (!t.offeredVersions().isEmpty()) {
            ArrayNode versions = n.putArray("versions");
            t.offeredVersions().forEach(versions::add);
        }
        if (!t.alpn().isEmpty()) {
            ArrayNode alpn = n.putArray("alpn");
            t.alpn().forEach(alpn::add);
        }
        if (t.version() != null) {
            n.put("version", t.version());
        }
        if (t.alert() != null) {
            n.put("alert", t.alert());
        }
    }

    /** One queued segment; {@code t_us} relative to the connection's accept, like its events. */
    public ObjectNode segment(io.chaosproxy.model.SegmentRecord r, long startEpochMillis) {
        ObjectNode n = mapper.createObjectNode();
        n.put("t_us", r.epochMicros() - startEpochMillis * 1000);
        n.put("leg", r.leg());
        n.put("direction", r.direction());
        n.put("flags", r.flags());
        n.put("seq", r.seq());
        n.put("ack", r.ack());
        n.put("window", r.window());
        n.put("length", r.length());
        if (!r.options().isEmpty()) {
            n.put("options", r.options());
        }
        n.put("verdict", r.verdict());
        return n;
    }

    /** An event on the live feed: the timeline entry plus which proxy and connection it belongs to. */
    public ObjectNode liveEvent(ConnectionEvent e) {
        ObjectNode n = event(e);
        n.put("proxy", e.proxy());
        n.put("connection", e.connectionId());
        return n;
    }

    public ObjectNode toxicType(ToxicType type) {
        ObjectNode n = mapper.createObjectNode();
        n.put("type", type.name());
        n.put("phase", type.phase().jsonName());
        n.put("engine", type.engine().jsonName());
        n.put("description", type.description());
        ArrayNode attrs = n.putArray("attributes");
        for (AttributeSpec s : type.schema().specs()) {
            ObjectNode a = attrs.addObject();
            a.put("name", s.name());
            a.put("kind", s.kind().name().toLowerCase(java.util.Locale.ROOT));
            a.put("unit", s.unit());
            a.putPOJO("default", s.defaultValue());
            if (s.kind() == AttributeSpec.Kind.TEXT) {
                ArrayNode allowed = a.putArray("allowed");
                s.allowedValues().forEach(allowed::add);
            } else {
                a.put("min", s.min());
                a.put("max", s.max());
            }
            a.put("description", s.description());
        }
        return n;
    }
}
