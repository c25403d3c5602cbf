package io.chaosproxy.testing;

import java.time.Duration;

/**
 * A {@link HashingSink} that reads slowly: {@code burstBytes}, then a {@code pause}, again and again until EOF.
 * The pause is short and fixed, so a connection's total time is bounded by its size.
 */
public final class SlowReader extends HashingSink {
    public SlowReader(long burstBytes, Duration pause) {
        super(0, (int) Math.min(burstBytes, 256 * 1024), burstBytes, pause);
        if (pause.toMillis() > 1000) {
            throw new IllegalArgumentException("keep the pause short so tests stay bounded");
        }
    }
}
