package io.chaosproxy.scenario;

import java.time.Instant;

/** The run's t = 0 (when the client starts), on the monotonic clock and as wall-clock microseconds. */
final class RunClock {
    private volatile long t0Nanos = System.nanoTime();
    private volatile long t0EpochMicros = epochMicrosNow();

    void start() {
        t0EpochMicros = epochMicrosNow();
        t0Nanos = System.nanoTime();
    }

    long t0Nanos() {
        return t0Nanos;
    }

    double sinceStart(long nanos) {
        return Math.round((nanos - t0Nanos) / 10_000.0) / 100.0;
    }

    double fromEpochMicros(long epochMicros) {
        return Math.round((epochMicros - t0EpochMicros) / 10.0) / 100.0;
    }

    static long epochMicrosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }
}
