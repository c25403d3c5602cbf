package io.chaosproxy.toxic;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The verdicts a {@link ConnectGate} can give an accepted client, and a timer. Event-loop only. */
public interface DialControl {
    /** Go on: the next gate, then the dial. */
    void proceed();

    /** Reset the client (RST), without dialing. */
    void resetClient();

    /** Close the client gracefully (FIN), without dialing. */
    void closeClient();

    /** Runs {@code task} later on the connection's event loop, unless the connection ended meanwhile. */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);
}
