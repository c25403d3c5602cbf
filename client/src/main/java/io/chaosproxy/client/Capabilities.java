package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What works on the server's machine ({@code GET /capabilities}): the transport ({@code EPOLL} or {@code NIO}),
 * each engine with why it is unavailable, and each toxic type with its phase, engine and availability.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Capabilities(String transport, Map<String, EngineStatus> engines, List<ToxicStatus> toxics) {
    public Capabilities {
        engines = engines == null ? Map.of() : Map.copyOf(engines);
        toxics = toxics == null ? List.of() : List.copyOf(toxics);
    }

    /** True when the packet engine (NFQUEUE; Linux with CAP_NET_ADMIN and iptables) works. */
    public boolean packetEngineAvailable() {
        EngineStatus p = engines.get("packet");
        return p != null && p.available();
    }

    /** Why the packet engine is unavailable, or null when it is available. */
    public String packetEngineUnavailableReason() {
        EngineStatus p = engines.get("packet");
        if (p == null) {
            return "this server has no packet engine";
        }
        return p.available() ? null : p.reason();
    }

    /** Whether this toxic type can be created here. */
    public boolean isAvailable(ToxicType type) {
        return find(type.apiName()).map(ToxicStatus::available).orElse(false);
    }

    public Optional<ToxicStatus> find(String apiName) {
        return toxics.stream().filter(t -> t.type().equals(apiName)).findFirst();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record EngineStatus(boolean available, String reason) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ToxicStatus(String type, Phase phase, Engine engine, boolean available, String reason) {
    }
}
