package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** One side of a proxied connection: the client's socket to the proxy, or the proxy's socket to the server. */
public enum Leg {
    CLIENT,
    SERVER;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Leg of(String label) {
        return label == null ? null : valueOf(label.toUpperCase(Locale.ROOT));
    }
}
