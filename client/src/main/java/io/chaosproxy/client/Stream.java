package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The direction a toxic acts on: {@code UPSTREAM} is client to server, {@code DOWNSTREAM} server to client. */
public enum Stream {
    UPSTREAM,
    DOWNSTREAM;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Stream of(String json) {
        return valueOf(json.toUpperCase(Locale.ROOT));
    }
}
