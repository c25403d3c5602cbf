package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why a connection ended; the names of {@code close_reason} and of the metrics' {@code reason} label. */
public enum CloseReason {
    CLIENT_FIN,
    SERVER_FIN,
    CLIENT_RST,
    SERVER_RST,
    UPSTREAM_REFUSED,
    UPSTREAM_TIMEOUT,
    UPSTREAM_UNREACHABLE,
    /** A toxic ended it (reset_peer, fin_drop then rst, limit_data, a refused connect gate, ...). */
    TOXIC,
    PROXY_DISABLED,
    ERROR,
    /** A reason this client does not know yet (a newer server). */
    OTHER;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static CloseReason of(String label) {
        if (label == null) {
            return null;
        }
        for (CloseReason r : values()) {
            if (r.label().equals(label)) {
                return r;
            }
        }
        return OTHER;
    }
}
