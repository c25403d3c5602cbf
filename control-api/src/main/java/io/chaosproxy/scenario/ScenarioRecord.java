package io.chaosproxy.scenario;

import java.util.List;
import java.util.Map;

/**
 * Everything one run of a scenario observed. Times are milliseconds since the client started (t = 0 is the moment
 * the client began to connect), so the client's, the server's, the proxy's and the segments' times line up.
 *
 * @param status {@code as_stated} (every check held), {@code differs} (a check did not hold), {@code unavailable}
 *     (needs the packet engine, which is missing here: see {@code reason}), {@code error} (could not be set up),
 *     {@code ran} (a user's own client ran: nothing to check)
 * @param settings the timeouts of both programs, the engine's connect timeout, the toxic and the kernel's settings
 */
public record ScenarioRecord(String name, String stage, String fault, boolean needsPacketEngine, String status,
        String reason, String expected, String explanation, String startedAt, double durationMillis,
        Map<String, Object> settings, ClientRecord client, ServerRecord server, List<SocketSnapshot> sockets,
        List<ConnectionView> connections, List<SegmentView> segments, Retransmissions retransmissions,
        List<CheckResult> checks) {

    public static final String AS_STATED = "as_stated";
    public static final String DIFFERS = "differs";
    public static final String UNAVAILABLE = "unavailable";
    public static final String ERROR = "error";
    public static final String RAN = "ran";

    /** One thing a program did or saw, at a time. */
    public record Step(double tMillis, String side, String what) {
    }

    /**
     * What the client saw.
     *
     * @param kind {@code built-in} or {@code command} (a user's own client)
     * @param outcome {@code ok}, {@code exception} or {@code eof} (the connection ended before the answer did)
     * @param saw the outcome in words, e.g. {@code SocketTimeoutException: Read timed out after 40 bytes}
     * @param connectMillis how long connect() took, null where it failed
     */
    public record ClientRecord(String kind, String outcome, String exceptionClass, String message, String saw,
            Double connectMillis, double totalMillis, long bytesSent, long bytesReceived,
            Map<String, Object> timeouts, List<Step> steps, String command, Integer exitStatus, String output) {
    }

    /** What the server's accept, read and write saw. */
    public record ServerRecord(int accepted, String saw, List<Step> steps) {
    }

    /** The TCP sockets of the client, the proxy's two legs and the server at one moment (/proc/net/tcp{,6}). */
    public record SocketSnapshot(String label, double tMillis, List<SocketEntry> entries) {
    }

    /**
     * @param role {@code client}, {@code proxy (client leg)}, {@code proxy (server leg)} or {@code server}
     * @param txQueue bytes sent but not acknowledged (or, listening, the accept queue)
     * @param rxQueue bytes received but not yet read by the program
     * @param retransmits unrecovered retransmission timeouts of this socket right now
     */
    public record SocketEntry(String role, String local, String remote, String state, long txQueue, long rxQueue,
            int retransmits) {
    }

    /** One connection of the proxy's timeline with its events. */
    public record ConnectionView(long id, String client, String state, String closeReason, long bytesUpstream,
            long bytesDownstream, List<EventView> events) {
    }

    /** A timeline event: {@code sinceAcceptMillis} as the timeline gives it, {@code tMillis} on the run's clock. */
    public record EventView(double tMillis, double sinceAcceptMillis, String type, String leg, String detail) {
    }

    /**
     * A control segment the packet engine saw. {@code seq} is relative to the sender's initial sequence number and
     * {@code ack} to the receiver's (so a SYN carries seq 0 and the SYN-ACK ack 1), {@code window} is the raw
     * window field (not yet scaled, on SYNs never scaled).
     *
     * @param retransmission the same segment (ports, flags, seq, length) was seen before
     */
    public record SegmentView(double tMillis, String leg, String direction, int srcPort, int dstPort, String flags,
            long seq, long ack, int window, int length, String options, String verdict, boolean retransmission) {
    }

    /**
     * @param bySegments retransmitted control segments in the segment log (null without the packet engine)
     * @param retransSegsDelta growth of the kernel's RetransSegs counter (/proc/net/snmp) during the run: this
     *     network namespace's every socket, so exact only where nothing else runs in it
     */
    public record Retransmissions(Integer bySegments, Long retransSegsDelta, String note) {
    }

    /** One thing the scenario states, whether it held, and what was observed. */
    public record CheckResult(String expectation, boolean held, String observed) {
    }
}
