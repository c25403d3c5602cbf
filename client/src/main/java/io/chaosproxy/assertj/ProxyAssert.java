package io.chaosproxy.assertj;

import io.chaosproxy.client.CloseReason;
import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.ConnectionMark;
import io.chaosproxy.client.ProxyHandle;
import java.util.List;
import org.assertj.core.api.AbstractAssert;

/** Assertions on the connections one proxy recorded: open ones oldest first, then the recently closed ones. */
public final class ProxyAssert extends AbstractAssert<ProxyAssert, ProxyHandle> {
    private final List<ConnectionInfo> connections;

    ProxyAssert(ProxyHandle proxy) {
        super(proxy, ProxyAssert.class);
        isNotNull();
        this.connections = proxy.connections();
    }

    /** Exactly {@code count} connections went through the proxy (as far as it keeps them). */
    public ProxyAssert sawConnections(int count) {
        if (connections.size() != count) {
            failWithMessage("expected proxy %s to have seen %d connection(s) but it saw %d%s", actual.name(), count,
                    connections.size(), Timelines.of(connections));
        }
        return this;
    }

    /** At least one connection, and every one of them closed with {@code reason}. */
    public ProxyAssert allClosedWith(CloseReason reason) {
        if (connections.isEmpty()) {
            failWithMessage("expected proxy %s's connections to be closed with %s but no connection went through it",
                    actual.name(), reason.label());
        }
        for (ConnectionInfo c : connections) {
            if (c.closeReason() != reason) {
                failWithMessage("expected every connection of proxy %s to be closed with %s, but this one is %s:%n%s",
                        actual.name(), reason.label(), c.closeReason() == null ? c.state() : c.closeReason().label(),
                        c.timeline());
            }
        }
        return this;
    }

    /** No connection was accepted after {@code mark}. */
    public ProxyAssert noConnectionSince(ConnectionMark mark) {
        List<ConnectionInfo> since = connections.stream().filter(c -> c.id() > mark.lastConnectionId()).toList();
        if (!since.isEmpty()) {
            failWithMessage("expected no connection through proxy %s since the mark, but saw %d%s", actual.name(),
                    since.size(), Timelines.of(since));
        }
        return this;
    }

    /** The {@code index}-th recorded connection (0 = the oldest the proxy keeps). */
    public ConnectionAssert connection(int index) {
        if (index < 0 || index >= connections.size()) {
            failWithMessage("expected a connection #%d through proxy %s but it saw %d connection(s)%s", index,
                    actual.name(), connections.size(), Timelines.of(connections));
        }
        return new ConnectionAssert(connections.get(index));
    }
}
