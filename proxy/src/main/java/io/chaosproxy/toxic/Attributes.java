package io.chaosproxy.toxic;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Validated attribute values of one toxic. Immutable: an update makes a new instance. */
public final class Attributes {
    private final Map<String, Object> values;

    Attributes(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public long getLong(String name) {
        return ((Number) require(name)).longValue();
    }

    public double getDouble(String name) {
        return ((Number) require(name)).doubleValue();
    }

    public String getText(String name) {
        return (String) require(name);
    }

    public Map<String, Object> asMap() {
        return values;
    }

    private Object require(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no attribute " + name);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes && ((Attributes) o).values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
