package io.chaosproxy.model;

import java.util.Locale;

/** Everything that can happen to a connection. Metrics, timelines and live feeds are all fed from these. */
public enum EventType {
    ACCEPTED,
    DIAL_STARTED,
    UPSTREAM_CONNECTED,
    UPSTREAM_FAILED,
    FIRST_BYTE,
    FIN,
    RST,
    TOXIC_APPLIED,
    /** A toxic did something visible to one side: swallowed a FIN, sent an RST, closed the connection. */
    TOXIC_ACTION,
    CLOSED;

    private final String jsonName = name().toLowerCase(Locale.ROOT);

    public String jsonName() {
        return jsonName;
    }
}
