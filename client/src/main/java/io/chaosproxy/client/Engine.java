package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which engine carries out a toxic: the stream engine (always there) or the packet engine (needs CAP_NET_ADMIN). */
public enum Engine {
    STREAM,
    PACKET;

    @JsonValue
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Engine of(String json) {
        return valueOf(json.toUpperCase(Locale.ROOT));
    }
}
