package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One connection through a proxy and its timeline, from {@code GET /proxies/{p}/connections}: open connections
 * oldest first, then the most recently closed. {@code state} is {@code connecting}, {@code open},
 * {@code half_closed} or {@code closed}; {@code closeReason} is null until it closes. With the packet engine,
 * {@code segments} are the TCP segments it queued for this connection (handshake and teardown).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConnectionInfo(long id, String proxy, String client, @JsonProperty("started_at") Instant startedAt,
                             String state, Bytes bytes, @JsonProperty("close_reason") CloseReason closeReason,
                             List<Event> events, @JsonProperty("events_dropped") long eventsDropped,
                             List<Segment> segments) {
    public ConnectionInfo {
        events = events == null ? List.of() : List.copyOf(events);
        segments = segments == null ? List.of() : List.copyOf(segments);
    }

    public boolean isClosed() {
        return "closed".equals(state);
    }

    /** The first event of this type, if any. */
    public Optional<Event> firstEvent(EventType type) {
        return events.stream().filter(e -> e.type() == type).findFirst();
    }

    /** The first event of this type ({@code accepted}, {@code upstream_connected}, {@code fin}, ...), if any. */
    public Optional<Event> firstEvent(String type) {
        return firstEvent(EventType.of(type));
    }

    /** Every event of this type, in order. */
    public List<Event> events(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    /** Every event of this type ({@code toxic_action}, ...), in order. */
    public List<Event> events(String type) {
        return events(EventType.of(type));
    }

    /** The timeline in a readable form: one line per event, times in ms since accept. */
    public String timeline() {
        StringBuilder sb = new StringBuilder();
        sb.append("connection ").append(id).append(" of proxy ").append(proxy).append(" from ").append(client)
                .append(", ").append(state);
        if (closeReason != null) {
            sb.append(" (").append(closeReason.label()).append(')');
        }
        sb.append(", bytes up ").append(bytes == null ? 0 : bytes.upstream()).append(" down ")
                .append(bytes == null ? 0 : bytes.downstream());
        for (Event e : events) {
            sb.append('\n').append(String.format(Locale.ROOT, "  %10.3f ms  %-18s %-6s %s", e.tUs() / 1000.0,
                    e.type().label(), e.leg() == null ? "" : e.leg().label(), e.detail() == null ? "" : e.detail()));
        }
        for (Segment s : segments) {
            sb.append('\n').append(String.format(Locale.ROOT, "  %10.3f ms  segment %-6s %-14s [%s] %s",
                    s.tUs() / 1000.0, s.leg() == null ? "" : s.leg().label(), s.direction(), s.flags(), s.verdict()));
        }
        return sb.toString();
    }

    /** Bytes forwarded so far: {@code upstream} client to server, {@code downstream} server to client. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Bytes(long upstream, long downstream) {
    }

    /**
     * One event, {@code tUs} µs after accept, with typed fields: {@code leg} (null when it concerns neither side),
     * {@code address} (accepted, dial started), {@code outcome} (dial: connected, refused, timeout, unreachable,
     * error), {@code toxic} (the type for toxic_applied, the toxic's name for toxic_action), {@code action} and
     * {@code amount} (what a toxic did: {@code swallowed FIN}, {@code RST after N bytes} with amount 4096, ...),
     * {@code reason} (closed), and for TLS events {@code sni}, {@code versions}, {@code alpn} (ClientHello),
     * {@code version} (ServerHello, handshake done), {@code alert}. {@code detail} is the same subject in words;
     * {@code durationUs} 0 unless the event has one.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(@JsonProperty("t_us") long tUs, EventType type, Leg leg, String detail, String address,
                        String outcome, String toxic, String action, long amount, CloseReason reason,
                        @JsonProperty("duration_us") long durationUs, String sni, List<String> versions,
                        List<String> alpn, String version, String alert) {
    }

    /**
     * One TCP segment the packet engine queued: {@code direction} {@code client>proxy}, {@code proxy>client},
     * {@code proxy>server} or {@code server>proxy}; {@code flags} as tcpdump prints them ({@code S}, {@code S.},
     * {@code .}, {@code F.}, {@code R}); {@code verdict} accept, drop, delay or reject.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Segment(@JsonProperty("t_us") long tUs, Leg leg, String direction, String flags, long seq,
                          long ack, int window, int length, String options, String verdict) {

        /** Whether this is a SYN without ACK (a connection attempt, or its retransmission). */
        public boolean isSyn() {
            return flags != null && flags.contains("S") && !flags.contains(".");
        }

        /** Whether this is a SYN-ACK. */
        public boolean isSynAck() {
            return flags != null && flags.contains("S") && flags.contains(".");
        }

        public boolean isFin() {
            return flags != null && flags.contains("F");
        }

        public boolean isRst() {
            return flags != null && flags.contains("R");
        }
    }
}
