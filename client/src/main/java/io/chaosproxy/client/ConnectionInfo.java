package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One connection through a proxy and its timeline, from {@code GET /proxies/{p}/connections}: open connections
 * oldest first, then the most recently closed. {@code state} is {@code connecting}, {@code open},
 * {@code half_closed} or {@code closed}; {@code closeReason} is the metrics' reason label ({@code client_fin},
 * {@code server_rst}, {@code toxic}, {@code upstream_refused}, ...).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConnectionInfo(long id, String proxy, String client, @JsonProperty("started_at") Instant startedAt,
                             String state, Bytes bytes, @JsonProperty("close_reason") String closeReason,
                             List<Event> events, @JsonProperty("events_dropped") long eventsDropped) {
    public ConnectionInfo {
        events = events == null ? List.of() : List.copyOf(events);
    }

    public boolean isClosed() {
        return "closed".equals(state);
    }

    /** The first event of this type ({@code accepted}, {@code upstream_connected}, {@code fin}, ...), if any. */
    public Optional<Event> firstEvent(String type) {
        return events.stream().filter(e -> e.type().equals(type)).findFirst();
    }

    /** Every event of this type, in order. */
    public List<Event> events(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    /** Bytes forwarded so far: {@code upstream} client to server, {@code downstream} server to client. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Bytes(long upstream, long downstream) {
    }

    /**
     * One event: {@code tUs} µs after accept; {@code type} one of {@code accepted}, {@code dial_started},
     * {@code upstream_connected}, {@code upstream_failed}, {@code first_byte}, {@code fin}, {@code rst},
     * {@code toxic_applied}, {@code toxic_action}, {@code closed}; {@code leg} {@code client} or {@code server}
     * (null when it concerns neither); {@code durationUs} 0 unless the event has one.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Event(@JsonProperty("t_us") long tUs, String type, String leg, String detail,
                        @JsonProperty("duration_us") long durationUs) {
    }
}
