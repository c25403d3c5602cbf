package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The stage of a TCP connection's life a toxic type acts on. */
public enum Phase {
    /** Handshake, accept and the dial to the upstream. */
    CONNECT,
    /** The TLS handshake, read from plaintext record headers and hellos (nothing decrypted). */
    TLS,
    /** While bytes flow. */
    ESTABLISHED,
    /** When a side half-closes or closes. */
    TEARDOWN;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Phase of(String json) {
        return valueOf(json.toUpperCase(Locale.ROOT));
    }
}
