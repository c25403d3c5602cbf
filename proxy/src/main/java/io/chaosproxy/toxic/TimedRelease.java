package io.chaosproxy.toxic;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Holds bytes (and a FIN) until a due time, then forwards them in arrival order. Shared by the toxics that delay
 * (latency, slicer, bandwidth, slow_close). Due times never go backwards, so order is kept even with jitter.
 * Everything it holds is reported to {@link StageContext#held} so backpressure sees it.
 */
public final class TimedRelease {
    /** A due time that never comes: the entry waits for {@link #flushAll}. */
    public static final long HELD_UNTIL_FLUSH = Long.MAX_VALUE;

    /**
     * A wait longer than twice this is taken in two steps: the timer wakes this much before the due time and is set
     * again for the rest. A thread woken after a long sleep is late by more (the core idled deeply; on a VM the vCPU
     * was halted and must be woken by the host) than one woken after a short one, whose core is still awake: on the
     * 2-core VM of bench/fidelity.sh this took the timer's median lateness after 100 ms from ~75 to ~30 us. Costs one
     * more wake-up per long wait, none for short ones.
     */
    static final long SETTLE_NANOS = 250_000;

    private final StageContext context;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private ScheduledFuture<?> timer;
    private long timerDue;
    private long lastDue = Long.MIN_VALUE;

    /** A held chunk; {@code data == null} marks the sender's FIN. */
    private record Entry(ByteBuf data, long dueNanos) {
    }

    public TimedRelease(StageContext context) {
        this.context = context;
    }

    /** Forwards {@code data} at {@code dueNanos} (monotonic), or later if earlier data is due later. */
    public void add(ByteBuf data, long dueNanos) {
        // Count before enqueueing: an entry already due is forwarded (and possibly written and freed) at once.
        context.held(data.readableBytes());
        enqueue(new Entry(data, Math.max(dueNanos, lastDue)));
    }

    /** Forwards the FIN at {@code dueNanos}, after everything added before it. */
    public void addEnd(long dueNanos) {
        enqueue(new Entry(null, Math.max(dueNanos, lastDue)));
    }

    /** The due time of the last entry, or {@code now} if none is held: where the next entry may start. */
    public long lastDueOr(long now) {
        return entries.isEmpty() ? now : Math.max(now, lastDue);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Forwards everything held now, in order (the toxic was removed). */
    public void flushAll() {
        cancelTimer();
        while (!entries.isEmpty()) {
            forward(entries.poll());
        }
    }

    /** Drops everything held (the connection is over). */
    public void discardAll() {
        cancelTimer();
        Entry e;
        while ((e = entries.poll()) != null) {
            if (e.data != null) {
                context.held(-e.data.readableBytes());
                e.data.release();
            }
        }
    }

    private void enqueue(Entry entry) {
        lastDue = entry.dueNanos;
        entries.add(entry);
        releaseDue();
    }

    private void releaseDue() {
        long now = context.nanoTime();
        while (!entries.isEmpty() && entries.peek().dueNanos <= now) {
            forward(entries.poll());
        }
        if (entries.isEmpty()) {
            cancelTimer();
            return;
        }
        long due = entries.peek().dueNanos;
        if (due == HELD_UNTIL_FLUSH) {
            cancelTimer();
            return;
        }
        if (timer == null || timerDue != due) {
            cancelTimer();
            timerDue = due;
            long wait = due - now;
            // Woken early (see SETTLE_NANOS), releaseDue finds nothing due and sets the timer again for the rest.
            timer = context.schedule(this::onTimer, wait > 2 * SETTLE_NANOS ? wait - SETTLE_NANOS : wait,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void onTimer() {
        timer = null;
        releaseDue();
    }

    private void forward(Entry e) {
        if (e.data == null) {
            context.forwardEnd();
        } else {
            context.held(-e.data.readableBytes());
            context.forward(e.data);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
