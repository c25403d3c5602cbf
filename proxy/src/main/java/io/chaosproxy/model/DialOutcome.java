package io.chaosproxy.model;

import java.util.Locale;

/** How the proxy's dial to the upstream ended. The label is the metrics' {@code outcome} tag and the timeline's. */
public enum DialOutcome {
    CONNECTED,
    REFUSED,
    TIMEOUT,
    UNREACHABLE,
    ERROR;

    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }

    /** Why the connection ends when the dial failed this way. */
    public CloseReason closeReason() {
        return switch (this) {
            case REFUSED -> CloseReason.UPSTREAM_REFUSED;
            case TIMEOUT -> CloseReason.UPSTREAM_TIMEOUT;
            case UNREACHABLE -> CloseReason.UPSTREAM_UNREACHABLE;
            case CONNECTED, ERROR -> CloseReason.ERROR;
        };
    }
}
