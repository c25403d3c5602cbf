package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicType;
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
        ArrayNode toxics = n.putArray("toxics");
        for (Toxic t : proxy.toxicsSnapshot()) {
            toxics.add(toxic(t));
        }
        return n;
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
