package io.chaosproxy.timeline;

import io.chaosproxy.model.ConnectionEvent;
import java.util.List;

/**
 * What the API shows of one connection: who, when, how much, in what state, and its events in order.
 *
 * @param state {@code connecting}, {@code open}, {@code half_closed} or {@code closed}
 * @param closeReason the close reason once closed, else null
 * @param clientPort the client's source port, and {@code serverLocalPort} the proxy's own port towards the
 *     upstream (0 before the dial): together they pick this connection's segments out of the packet engine's log
 */
public record ConnectionSummary(String proxy, long id, String client, long startEpochMillis, String state,
        long bytesUpstream, long bytesDownstream, String closeReason, List<ConnectionEvent> events,
        long eventsDropped, int clientPort, int serverLocalPort) {
}
