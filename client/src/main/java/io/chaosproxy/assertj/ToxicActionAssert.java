package io.chaosproxy.assertj;

import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.Leg;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** A toxic action found on a connection, to be narrowed to the leg that felt it. */
public final class ToxicActionAssert extends AbstractAssert<ToxicActionAssert, ConnectionInfo> {
    private final ConnectionAssert connection;
    private final String action;
    private final List<ConnectionInfo.Event> matching;

    ToxicActionAssert(ConnectionAssert connection, ConnectionInfo actual, String action,
            List<ConnectionInfo.Event> matching) {
        super(actual, ToxicActionAssert.class);
        this.connection = connection;
        this.action = action;
        this.matching = matching;
    }

    /** The action was felt by {@code leg} (the client for a downstream FIN the toxic swallowed, ...). */
    public ConnectionAssert on(Leg leg) {
        if (matching.stream().noneMatch(e -> e.leg() == leg)) {
            failWithMessage("expected the toxic action \"%s\" on the %s leg but it was on %s:%n%s", action,
                    leg.label(), matching.stream().map(e -> e.leg() == null ? "no leg" : e.leg().label()).toList(),
                    actual.timeline());
        }
        return connection;
    }
}
