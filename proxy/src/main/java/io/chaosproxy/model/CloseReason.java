package io.chaosproxy.model;

import java.util.Locale;

/** Why a connection ended. The same names appear in the timeline and as the metrics' {@code reason} label. */
public enum CloseReason {
    CLIENT_FIN,
    SERVER_FIN,
    CLIENT_RST,
    SERVER_RST,
    UPSTREAM_REFUSED,
    UPSTREAM_TIMEOUT,
    UPSTREAM_UNREACHABLE,
    TOXIC,
    PROXY_DISABLED,
    ERROR;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }

    public static CloseReason fin(Leg leg) {
        return leg == Leg.CLIENT ? CLIENT_FIN : SERVER_FIN;
    }

    public static CloseReason rst(Leg leg) {
        return leg == Leg.CLIENT ? CLIENT_RST : SERVER_RST;
    }
}
