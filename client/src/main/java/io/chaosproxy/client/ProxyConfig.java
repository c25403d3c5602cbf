package io.chaosproxy.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A proxy to create with {@link ChaosProxyClient#populate}: {@code ProxyConfig.of("pg", "127.0.0.1:15432",
 * "127.0.0.1:5432")}, optionally {@code .disabled()}.
 */
public record ProxyConfig(String name, String listen, String upstream, boolean enabled) {
    public static ProxyConfig of(String name, String listen, String upstream) {
        return new ProxyConfig(name, listen, upstream, true);
    }

    public ProxyConfig disabled() {
        return new ProxyConfig(name, listen, upstream, false);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        if (listen != null) {
            m.put("listen", listen);
        }
        m.put("upstream", upstream);
        m.put("enabled", enabled);
        return m;
    }
}
