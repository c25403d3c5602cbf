package io.chaosproxy.model;

/**
 * One thing that happened to one connection, with typed fields: consumers (metrics, timeline, live feed, scenario
 * reports) read the field they need and never parse text. Which fields are set depends on the type; the factories
 * below are the only way events are made, so each type always carries the same fields.
 *
 * @param sinceAcceptNanos time since the connection was accepted
 * @param leg the side the event belongs to, or null when it belongs to the whole connection
 * @param address the client's address (accepted) or the dialled upstream (dial started), else null
 * @param outcome how the dial ended (upstream connected or failed), else null
 * @param toxic the toxic type (toxic applied) or the toxic's name (toxic action), else null
 * @param action what the toxic did (toxic action), else null
 * @param reason why the connection ended (closed), else null
 * @param note a few words more on an RST ({@code after its FIN}), else null
 * @param durationNanos how long the step took (a dial, a TLS handshake), the server's answer time (its first byte),
 *     or the whole connection's life (closed), else 0
 * @param tls what the TLS reader read (TLS events), else null
 */
public record ConnectionEvent(String proxy, long connectionId, EventType type, long sinceAcceptNanos, Leg leg,
        String address, DialOutcome outcome, String toxic, ToxicAction action, CloseReason reason, String note,
        long durationNanos, TlsDetails tls) {

    public static ConnectionEvent accepted(String proxy, long id, long since, String clientAddress) {
        return new ConnectionEvent(proxy, id, EventType.ACCEPTED, since, Leg.CLIENT, clientAddress, null, null, null,
                null, null, 0, null);
    }

    public static ConnectionEvent dialStarted(String proxy, long id, long since, String upstream) {
        return new ConnectionEvent(proxy, id, EventType.DIAL_STARTED, since, Leg.SERVER, upstream, null, null, null,
                null, null, 0, null);
    }

    public static ConnectionEvent dialEnded(String proxy, long id, long since, DialOutcome outcome, long dialNanos) {
        EventType type = outcome == DialOutcome.CONNECTED ? EventType.UPSTREAM_CONNECTED : EventType.UPSTREAM_FAILED;
        return new ConnectionEvent(proxy, id, type, since, Leg.SERVER, null, outcome, null, null, null, null,
                dialNanos, null);
    }

    public static ConnectionEvent firstByte(String proxy, long id, long since, Leg sender, long answerNanos) {
        return new ConnectionEvent(proxy, id, EventType.FIRST_BYTE, since, sender, null, null, null, null, null, null,
                answerNanos, null);
    }

    public static ConnectionEvent fin(String proxy, long id, long since, Leg sender) {
        return new ConnectionEvent(proxy, id, EventType.FIN, since, sender, null, null, null, null, null, null, 0,
                null);
    }

    public static ConnectionEvent rst(String proxy, long id, long since, Leg sender, String note) {
        return new ConnectionEvent(proxy, id, EventType.RST, since, sender, null, null, null, null, null, note, 0,
                null);
    }

    public static ConnectionEvent toxicApplied(String proxy, long id, long since, String toxicType) {
        return new ConnectionEvent(proxy, id, EventType.TOXIC_APPLIED, since, null, null, null, toxicType, null, null,
                null, 0, null);
    }

    public static ConnectionEvent toxicAction(String proxy, long id, long since, Leg affected, String toxicName,
            ToxicAction action) {
        return new ConnectionEvent(proxy, id, EventType.TOXIC_ACTION, since, affected, null, null, toxicName, action,
                null, null, 0, null);
    }

    public static ConnectionEvent closed(String proxy, long id, long since, CloseReason reason, long lifeNanos) {
        return new ConnectionEvent(proxy, id, EventType.CLOSED, since, null, null, null, null, null, reason, null,
                lifeNanos, null);
    }

    public static ConnectionEvent tls(String proxy, long id, long since, EventType type, Leg leg, TlsDetails tls,
            String note, long durationNanos) {
        return new ConnectionEvent(proxy, id, type, since, leg, null, null, null, null, null, note, durationNanos,
                tls);
    }

    /** The event's subject in words, as the timeline and the live feed show it; null when there is none. */
    public String detail() {
        return switch (type) {
            case ACCEPTED, DIAL_STARTED -> address;
            case UPSTREAM_CONNECTED, UPSTREAM_FAILED -> outcome.label();
            case TOXIC_APPLIED -> toxic;
            case TOXIC_ACTION -> toxic + ": " + action.text();
            case RST -> note;
            case CLOSED -> reason.label();
            case TLS_CLIENT_HELLO, TLS_SERVER_HELLO, TLS_HANDSHAKE_DONE, TLS_ALERT -> tls == null ? note : tls.text();
            case TLS_STEPPED_ASIDE -> note;
            case FIRST_BYTE, FIN -> null;
        };
    }
}
