package io.chaosproxy.toxic;

import io.chaosproxy.model.Leg;

/**
 * What a packet toxic does, declared by its type so the engine never looks at type names: on one leg, to one role
 * of segment, drop the first {@code count} of them per connection attempt (0 = all), hold them until {@code delayMs}
 * after the first one was seen, or answer them with a reset.
 */
public record SegmentFault(Leg leg, Target target, Action action, long count, long delayMs) {

    /** A segment's role, relative to the leg: the connecting side (client, or the proxy dialing) and the other. */
    public enum Target {
        /** The connecting side's SYN (and its retransmissions). */
        SYN,
        /** The accepting side's SYN-ACK. */
        SYNACK,
        /** The connecting side's ACK that completes the handshake (the first ACK of the accepting side's SYN). */
        HANDSHAKE_ACK,
        /** A FIN sent by the connecting side (the client on the client leg). */
        FIN_FROM_CONNECTOR,
        /** A FIN sent by the accepting side (the proxy on the client leg). */
        FIN_FROM_ACCEPTOR
    }

    public enum Action { DROP, DELAY, REJECT }

    public static SegmentFault drop(Leg leg, Target target, long count) {
        return new SegmentFault(leg, target, Action.DROP, count, 0);
    }

    public static SegmentFault delay(Leg leg, Target target, long delayMs) {
        return new SegmentFault(leg, target, Action.DELAY, 0, delayMs);
    }

    public static SegmentFault reject(Leg leg, Target target) {
        return new SegmentFault(leg, target, Action.REJECT, 0, 0);
    }
}
