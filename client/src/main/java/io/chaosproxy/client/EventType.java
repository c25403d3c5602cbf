package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What happened to a connection; the names of the timeline's {@code type} field. */
public enum EventType {
    ACCEPTED,
    DIAL_STARTED,
    UPSTREAM_CONNECTED,
    UPSTREAM_FAILED,
    FIRST_BYTE,
    FIN,
    RST,
    TOXIC_APPLIED,
    /** A toxic did something one side can feel: swallowed a FIN, sent an RST, ... */
    TOXIC_ACTION,
    CLOSED,
    /** A type this client does not know yet (a newer server). */
    OTHER;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EventType of(String label) {
        for (EventType t : values()) {
            if (t.label().equals(label)) {
                return t;
            }
        }
        return OTHER;
    }
}
