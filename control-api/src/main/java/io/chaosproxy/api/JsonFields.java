package io.chaosproxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads request fields the way Toxiproxy does (Go's encoding/json): keys match case-insensitively, unknown keys are
 * ignored, and a value of the wrong type is an error naming the field.
 */
final class JsonFields {
    private final ObjectNode node;
    private final String prefix;

    JsonFields(JsonNode node, String prefix) {
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "bad request body: expected a JSON object" + where(prefix));
        }
        this.node = (ObjectNode) node;
        this.prefix = prefix;
    }

    private static String where(String prefix) {
        return prefix.isEmpty() ? "" : " at " + prefix.substring(0, prefix.length() - 1);
    }

    JsonNode raw(String name) {
        JsonNode exact = node.get(name);
        if (exact != null) {
            return exact.isNull() ? null : exact;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().isNull() ? null : e.getValue();
            }
        }
        return null;
    }

    String text(String name) {
        JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, prefix + name + " must be a string");
        }
        return v.asText();
    }

    Boolean bool(String name) {
        JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new ApiException(400, prefix + name + " must be true or false");
        }
        return v.asBoolean();
    }

    Double number(String name) {
        JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new ApiException(400, prefix + name + " must be a number");
        }
        return v.asDouble();
    }

    Long whole(String name) {
        JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ApiException(400, prefix + name + " must be a whole number");
        }
        return v.asLong();
    }

    /**
     * A nested object as plain Java values (Long, BigInteger, Double, String, Boolean), for attribute validation. An
     * integer beyond a long stays exact (BigInteger), so the schema rejects it by its bound instead of clamping.
     */
    Map<String, Object> map(String name) {
        JsonNode v = raw(name);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw new ApiException(400, prefix + name + " must be an object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        v.properties().forEach(e -> out.put(e.getKey(), plain(e.getValue())));
        return out;
    }

    private static Object plain(JsonNode v) {
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.asLong() : (Object) v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isArray()) {
            java.util.List<Object> list = new java.util.ArrayList<>();
            v.forEach(item -> list.add(plain(item)));
            return list;
        }
        return v.toString();
    }
}
