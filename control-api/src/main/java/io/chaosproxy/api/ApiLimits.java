package io.chaosproxy.api;

import java.time.Duration;

/**
 * What one client of the control API may hold: any local process (and any web page) can reach a loopback port, so
 * every resource a connection can take is bounded, the way HAProxy's {@code timeout http-request}, {@code timeout
 * http-keep-alive} and {@code maxconn} bound it.
 *
 * @param headerTimeout how long a request may take to arrive in full, from the connection's start or its first byte
 * @param idleTimeout how long a kept-alive connection may wait for its next request
 * @param maxConnections API connections open at once (event streams included); the next ones get 503
 * @param maxEventStreams {@code /events} subscribers at once; the next ones get 503
 * @param maxPipelined requests one connection may have waiting for their answers; the next one gets 503
 */
public record ApiLimits(Duration headerTimeout, Duration idleTimeout, int maxConnections, int maxEventStreams,
        int maxPipelined) {
    public static final int DEFAULT_MAX_CONNECTIONS = 256;
    public static final int DEFAULT_MAX_EVENT_STREAMS = 64;

    public ApiLimits {
        if (headerTimeout.isNegative() || headerTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("API timeouts must be positive");
        }
        if (maxConnections < 1 || maxEventStreams < 0 || maxEventStreams > maxConnections || maxPipelined < 1) {
            throw new IllegalArgumentException("API limits out of range: connections " + maxConnections
                    + ", event streams " + maxEventStreams + ", pipelined " + maxPipelined);
        }
    }

    public static ApiLimits defaults() {
        return new ApiLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), DEFAULT_MAX_CONNECTIONS,
                DEFAULT_MAX_EVENT_STREAMS, 128);
    }

    public ApiLimits withMaxConnections(int n) {
        return new ApiLimits(headerTimeout, idleTimeout, n, Math.min(maxEventStreams, n), maxPipelined);
    }

    public ApiLimits withMaxEventStreams(int n) {
        return new ApiLimits(headerTimeout, idleTimeout, maxConnections, n, maxPipelined);
    }

    public ApiLimits withTimeouts(Duration header, Duration idle) {
        return new ApiLimits(header, idle, maxConnections, maxEventStreams, maxPipelined);
    }
}
