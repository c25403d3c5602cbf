package io.chaosproxy.event;

/**
 * One thing that happened to one connection.
 *
 * @param sinceAcceptNanos time since the connection was accepted
 * @param leg {@code client} or {@code server} where the event belongs to one side, else null
 * @param detail the event's subject: the close reason, the dial outcome, the toxic type, or null
 * @param durationNanos how long the step took (a dial), or the connection's whole life (closed), else 0
 */
public record ConnectionEvent(String proxy, long connectionId, EventType type, long sinceAcceptNanos, String leg,
        String detail, long durationNanos) {
}
