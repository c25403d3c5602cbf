package io.chaosproxy.engine;

import io.chaosproxy.model.CloseReason;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.DialOutcome;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.timeline.Timeline;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * What one connection tells the world: each typed event goes into its own timeline and, once, onto the engine's
 * bus (metrics, live feed, scenario runs). Also builds the connection's summaries for the API.
 */
final class ConnectionLog {
    private final String proxy;
    private final long id;
    private final EventBus bus;
    private final long acceptedNanos = System.nanoTime();
    private final long acceptedEpochMillis = System.currentTimeMillis();
    private final Timeline timeline = new Timeline();

    ConnectionLog(String proxy, long id, EventBus bus) {
        this.proxy = proxy;
        this.id = id;
        this.bus = bus;
    }

    private long since() {
        return System.nanoTime() - acceptedNanos;
    }

    void accepted(InetSocketAddress client) {
        publish(ConnectionEvent.accepted(proxy, id, since(), addressText(client)));
    }

    void dialStarted(String target) {
        publish(ConnectionEvent.dialStarted(proxy, id, since(), target));
    }

    void dialEnded(DialOutcome outcome, long dialNanos) {
        publish(ConnectionEvent.dialEnded(proxy, id, since(), outcome, dialNanos));
    }

    void firstByte(Leg sender, long answerNanos) {
        publish(ConnectionEvent.firstByte(proxy, id, since(), sender, answerNanos));
    }

    void fin(Leg sender) {
        publish(ConnectionEvent.fin(proxy, id, since(), sender));
    }

    void rst(Leg sender, String note) {
        publish(ConnectionEvent.rst(proxy, id, since(), sender, note));
    }

    void toxicApplied(String type) {
        publish(ConnectionEvent.toxicApplied(proxy, id, since(), type));
    }

    void toxicAction(Leg affected, String toxicName, ToxicAction action) {
        publish(ConnectionEvent.toxicAction(proxy, id, since(), affected, toxicName, action));
    }

    void closed(CloseReason reason) {
        long life = since();
        publish(ConnectionEvent.closed(proxy, id, life, reason, life));
    }

    /** Makes one event from this connection's proxy, id and time since accept (the TLS reader's steps). */
    interface EventMaker {
        ConnectionEvent make(String proxy, long id, long sinceAcceptNanos);
    }

    void publishWith(EventMaker maker) {
        publish(maker.make(proxy, id, since()));
    }

    private void publish(ConnectionEvent event) {
        timeline.add(event);
        bus.publish(event);
    }

    /** A snapshot for the API; byte counts are read racily, which is fine for display. */
    ConnectionSummary summary(InetSocketAddress client, String state, long up, long down, CloseReason reason,
            int serverLocalPort) {
        return summaryOf(proxy, id, client, acceptedEpochMillis, state, up, down, reason, timeline, serverLocalPort);
    }

    /**
     * What is kept once closed: the final figures, made into a summary only if the API asks (most closed
     * connections are never looked at, and building every summary at close costs each connection).
     */
    Supplier<ConnectionSummary> closedSummary(InetSocketAddress client, long up, long down, CloseReason reason,
            int serverLocalPort) {
        String proxyName = proxy;
        long connectionId = id;
        long accepted = acceptedEpochMillis;
        Timeline events = timeline;
        return () -> summaryOf(proxyName, connectionId, client, accepted, ConnectionState.CLOSED.label(), up, down,
                reason, events, serverLocalPort);
    }

    private static ConnectionSummary summaryOf(String proxyName, long id, InetSocketAddress client,
            long acceptedEpochMillis, String state, long up, long down, CloseReason reason, Timeline timeline,
            int serverLocalPort) {
        return new ConnectionSummary(proxyName, id, addressText(client), acceptedEpochMillis, state, up, down,
                reason == null ? null : reason.label(), timeline.snapshot(), timeline.dropped(),
                client == null ? 0 : client.getPort(), serverLocalPort);
    }

    private static String addressText(InetSocketAddress a) {
        return a == null ? "?" : new HostPort(a.getAddress().getHostAddress(), a.getPort()).toString();
    }
}
