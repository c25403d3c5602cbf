package io.chaosproxy.engine;

import java.util.Locale;

/**
 * Where a connection is in its life. {@link Connection#moveTo} is the only place it changes, and it refuses any
 * transition not listed in {@link #canMoveTo}. A client FIN that arrives while the dial is still running leaves the
 * connection connecting; it is half-closed from the moment it opens.
 */
enum ConnectionState {
    /** Accepted: connect-phase toxics, then the dial. No byte is forwarded yet. */
    CONNECTING,
    /** Both legs up, bytes flowing both ways. */
    OPEN,
    /** One side has sent its FIN; the other direction still flows. */
    HALF_CLOSED,
    /** Ended once, with a close reason; both channels are closing. Nothing happens after this. */
    CLOSED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The name the API shows in a connection's summary. */
    String label() {
        return label;
    }

    boolean canMoveTo(ConnectionState next) {
        return switch (this) {
            case CONNECTING -> next == OPEN || next == HALF_CLOSED || next == CLOSED;
            case OPEN -> next == HALF_CLOSED || next == CLOSED;
            case HALF_CLOSED -> next == CLOSED;
            case CLOSED -> false;
        };
    }

    /** Whether bytes may flow: the upstream is connected and the connection has not ended. */
    boolean forwarding() {
        return this == OPEN || this == HALF_CLOSED;
    }
}
