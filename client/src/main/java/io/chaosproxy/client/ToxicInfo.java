package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A toxic as the API shows it: every attribute of its type, and its selector, schedule and seed when set.
 * {@link #type()} is the API name (use {@link #toxicType()} for the enum). {@link #connectionsSeen()} counts the
 * connections (packet toxics: connection attempts) that went through the proxy while the toxic was armed.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToxicInfo(String name, String type, Stream stream, double toxicity, Map<String, Object> attributes,
                        @JsonProperty("selector") Map<String, Object> selectorJson, ScheduleInfo schedule, Long seed,
                        @JsonProperty("connections_seen") long connectionsSeen) {
    public ToxicInfo {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** The type as an enum; null for a type this client does not know. */
    public ToxicType toxicType() {
        return ToxicType.fromApiName(type);
    }

    public Selector selector() {
        return Selector.fromJson(selectorJson);
    }

    /** A numeric attribute as a long (e.g. {@code latency}); throws if absent. */
    public long longAttribute(String name) {
        Object v = attributes.get(name);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("toxic " + this.name + " has no numeric attribute " + name);
        }
        return ((Number) v).longValue();
    }

    /** A numeric attribute as a double (e.g. {@code rate}); throws if absent. */
    public double doubleAttribute(String name) {
        Object v = attributes.get(name);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("toxic " + this.name + " has no numeric attribute " + name);
        }
        return ((Number) v).doubleValue();
    }

    /** A schedule as the API shows it; {@code state} is {@code pending} before it arms, {@code active} after. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ScheduleInfo(@JsonProperty("start_after_ms") long startAfterMs,
                               @JsonProperty("duration_ms") long durationMs, String state) {
        public boolean isActive() {
            return "active".equals(state);
        }
    }
}
