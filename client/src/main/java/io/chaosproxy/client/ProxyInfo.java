package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * A proxy as the API shows it. {@code listen} is the address actually bound (a port 0 request shows the real port).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyInfo(String name, String listen, String upstream, boolean enabled, List<ToxicInfo> toxics) {
    public ProxyInfo {
        toxics = toxics == null ? List.of() : List.copyOf(toxics);
    }

    /** The host part of {@link #listen()}. */
    public String listenHost() {
        return HostPorts.host(listen);
    }

    /** The port part of {@link #listen()}. */
    public int listenPort() {
        return HostPorts.port(listen);
    }
}
