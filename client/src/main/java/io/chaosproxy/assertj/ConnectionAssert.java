package io.chaosproxy.assertj;

import io.chaosproxy.client.CloseReason;
import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.EventType;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** Assertions on one connection's life; failures print its timeline. */
public final class ConnectionAssert extends AbstractAssert<ConnectionAssert, ConnectionInfo> {

    ConnectionAssert(ConnectionInfo connection) {
        super(connection, ConnectionAssert.class);
        isNotNull();
    }

    /** The connection is closed, and with {@code reason}. */
    public ConnectionAssert closedWith(CloseReason reason) {
        if (actual.closeReason() != reason) {
            failWithMessage("expected the connection to be closed with %s but it is %s:%n%s", reason.label(),
                    actual.closeReason() == null ? actual.state() : actual.closeReason().label(), actual.timeline());
        }
        return this;
    }

    /** The connection had at least one event of this type. */
    public ConnectionAssert hadEvent(EventType type) {
        if (actual.events(type).isEmpty()) {
            failWithMessage("expected the connection to have a %s event:%n%s", type.label(), actual.timeline());
        }
        return this;
    }

    /**
     * A toxic did {@code action} to this connection: the action's name as the timeline and the metrics give it
     * ({@code swallowed FIN}, {@code holding FIN}, {@code then rst}, {@code FIN replaced by RST},
     * {@code RST after N bytes}, ...). Narrow it to a leg with {@link ToxicActionAssert#on}.
     */
    public ToxicActionAssert hadToxicAction(String action) {
        List<ConnectionInfo.Event> matching = actual.events(EventType.TOXIC_ACTION).stream()
                .filter(e -> action.equals(e.action())).toList();
        if (matching.isEmpty()) {
            failWithMessage("expected a toxic action \"%s\" on the connection but there was none:%n%s", action,
                    actual.timeline());
        }
        return new ToxicActionAssert(this, actual, action, matching);
    }

    /** The TCP segments the packet engine recorded for this connection. */
    public SegmentsAssert hasSegments() {
        if (actual.segments().isEmpty()) {
            failWithMessage("expected segments recorded by the packet engine, but the connection has none (is the "
                    + "packet engine available, and did a packet toxic act on this proxy?):%n%s", actual.timeline());
        }
        return new SegmentsAssert(this, actual);
    }
}
