package io.chaosproxy.toxic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The typed attributes a toxic type accepts, in the order the API shows them. */
public final class AttributeSchema {
    private final List<AttributeSpec> specs;

    private AttributeSchema(List<AttributeSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    public static AttributeSchema of(AttributeSpec... specs) {
        return new AttributeSchema(List.of(specs));
    }

    public List<AttributeSpec> specs() {
        return specs;
    }

    /** Every attribute at its default. */
    public Attributes defaults() {
        Map<String, Object> values = new LinkedHashMap<>();
        for (AttributeSpec s : specs) {
            values.put(s.name(), s.defaultValue());
        }
        return new Attributes(values);
    }

    /**
     * Applies a user's partial attribute map on top of {@code base}. Keys match case-insensitively; unknown keys are
     * ignored, as Toxiproxy does, so clients that send extra fields keep working.
     */
    public Attributes merge(Attributes base, Map<String, Object> given) {
        Map<String, Object> values = new LinkedHashMap<>(base.asMap());
        if (given != null) {
            for (Map.Entry<String, Object> e : given.entrySet()) {
                AttributeSpec spec = find(e.getKey());
                if (spec != null) {
                    values.put(spec.name(), spec.validate(e.getValue()));
                }
            }
        }
        return new Attributes(values);
    }

    private AttributeSpec find(String key) {
        for (AttributeSpec s : specs) {
            if (s.name().equalsIgnoreCase(key.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        return null;
    }
}
