package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** A toxic type as {@code GET /toxic-types} describes it: phase, engine and the schema of its attributes. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ToxicTypeInfo(String type, Phase phase, Engine engine, String description, List<Attribute> attributes) {
    public ToxicTypeInfo {
        attributes = attributes == null ? List.of() : List.copyOf(attributes);
    }

    /**
     * One attribute: {@code kind} is {@code integer}, {@code number} or {@code text}; numbers have {@code min} and
     * {@code max}, text has {@code allowed} values.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Attribute(String name, String kind, String unit,
                            @com.fasterxml.jackson.annotation.JsonProperty("default") Object defaultValue,
                            Double min, Double max, List<String> allowed, String description) {
    }
}
