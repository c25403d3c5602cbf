package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** What a {@link TlsStage} may do. Every call happens on the connection's event loop, so stages need no locking. */
public interface TlsStageContext {
    /** Hands one whole record on to the next TLS stage (or the stream). Ownership of {@code data} passes on. */
    void forwardRecord(TlsRecord record, ByteBuf data);

    /** Hands unframed bytes going {@code direction} on (see {@link TlsStage#onPassThrough}). Ownership passes on. */
    void forward(Direction direction, ByteBuf data);

    /** Passes a side's half-close (FIN) in {@code direction} on. */
    void forwardEnd(Direction direction);

    /** Bytes this stage holds in {@code direction} (+n when keeping, -n when letting go), for backpressure. */
    void held(Direction direction, long deltaBytes);

    /** Runs {@code task} later on the connection's event loop (not after the stage was removed). */
    ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit);

    /** Ends the whole connection with an RST to both sides, after bytes already forwarded are written. */
    void resetConnection();

    /** Ends the whole connection with a FIN to both sides, after bytes already forwarded are written. */
    void closeConnection();

    /**
     * A FIN to the client now, after bytes already forwarded; from then on whatever either side sends is read and
     * dropped, and the server gets its FIN when the client's comes. Unlike {@link #closeConnection}, no RST can
     * overtake the FIN (closing a socket that still receives the client's handshake records would send one), so
     * the client reliably sees the end of stream.
     */
    void finToClientThenDrain();

    /** Notes in the timeline what this toxic did, against the leg that feels it. */
    void record(ToxicAction action, Leg affected);

    /** The toxic's attribute {@code stream}: which way it was told to act where that matters. */
    Direction stream();

    /** Monotonic nanoseconds. */
    long nanoTime();
}
