package io.chaosproxy.toxic;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A registry of toxic types by name; {@code BuiltInToxics.registry()} gives the built-in ones. */
public final class ToxicTypes {
    private final Map<String, ToxicType> byName = new LinkedHashMap<>();


    public void register(ToxicType type) {
        if (byName.putIfAbsent(type.name(), type) != null) {
            throw new IllegalArgumentException("toxic type registered twice: " + type.name());
        }
    }

    public Optional<ToxicType> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    public Collection<ToxicType> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
