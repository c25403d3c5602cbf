package io.chaosproxy.toxic;

import io.chaosproxy.model.ToxicAction;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What a {@link ToxicStage} may do. Every call happens on the connection's event loop, so stages need no locking.
 */
public interface StageContext {
    /** Hands bytes to the next stage (or the receiving socket). Ownership of {@code data} passes on. */
    void forward(ByteBuf data);

    /** Passes the sender's half-close (FIN) on to the next stage. */
    void forwardEnd();

    /**
     * Tells the engine how many bytes this stage holds back, so reading from the sender pauses when stages hold too
     * much (backpressure through toxics). Call with +n when keeping a buffer, -n when letting it go.
     */
    void held(long deltaBytes);

    /** Runs {@code task} later on the connection's event loop. */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** Ends the whole connection with an RST to both the client and the server. */
    void resetConnection();

    /** Ends the whole connection with a FIN to both sides, after bytes already forwarded are written. */
    void closeConnection();

    /** Stops or restarts reading from the sender of this direction, independent of backpressure. */
    void pauseReading(boolean paused);

    /**
     * Notes in the connection's timeline what this toxic just did (e.g. a swallowed FIN), so users see the fault
     * beside what each side did.
     */
    void record(ToxicAction action);

    /** Random source for this connection and direction (seedable for replay). */
    Random random();

    ByteBufAllocator alloc();

    /** Monotonic nanoseconds. */
    long nanoTime();
}
