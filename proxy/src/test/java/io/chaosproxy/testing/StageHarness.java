package io.chaosproxy.testing;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.StageContext;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link StageContext} with a virtual clock, to drive one {@link ToxicStage} chunk by chunk (in the
 * style of Toxiproxy's toxic tests) and see what it hands on, what it holds, and when.
 *
 * <p>Time only moves in {@link #advance}: timers run in due order, each at its own due time (so {@link #nanoTime()}
 * inside a timer task is exactly the time it was due). Forwarded buffers are copied out and released at once.
 * {@link #close()} ends the stage as the engine does when the connection is over (if it is still attached) and then
 * checks that nothing leaked: no bytes held, no live timer, no buffer the harness sent left unreleased, no call on
 * the context after the stage was removed.
 */
public final class StageHarness implements StageContext, AutoCloseable {
    /** What {@link #nanoTime()} returns before any advance: far from 0, so no stage can rely on a zero origin. */
    private static final long ORIGIN_NANOS = 1_000_000_000_000L;

    /** One thing the stage handed on: bytes, or the FIN ({@code bytes == null}), at a virtual time since start. */
    public record Output(byte[] bytes, long atNanos) {
        public boolean isEnd() {
            return bytes == null;
        }

        public long atMillis() {
            return TimeUnit.NANOSECONDS.toMillis(atNanos);
        }

        public String text() {
            return isEnd() ? "<FIN>" : new String(bytes, StandardCharsets.ISO_8859_1);
        }

        @Override
        public String toString() {
            return (isEnd() ? "FIN" : bytes.length + " bytes") + " @" + atNanos + "ns";
        }
    }

    private enum State { NEW, ATTACHED, DETACHED, CLOSED }

    private final ByteBufAllocator alloc;
    private final Random random;
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparingLong((Timer t) -> t.dueNanos).thenComparingLong(t -> t.seq));
    private final List<Output> outputs = new ArrayList<>();
    private final List<ByteBuf> sent = new ArrayList<>();
    private final List<Long> resets = new ArrayList<>();
    private final List<Long> closes = new ArrayList<>();
    private final List<Boolean> pauseCalls = new ArrayList<>();
    private final List<ToxicAction> actions = new ArrayList<>();
    private final List<String> lateCalls = new ArrayList<>();
    private final List<Long> timerRuns = new ArrayList<>();
    private ToxicStage stage;
    private State state = State.NEW;
    private long elapsedNanos;
    private long timerSeq;
    private long heldBytes;
    private long minHeldBytes;
    private long maxHeldBytes;
    private boolean readingPaused;

    /** Unpooled buffers and the seed 42. */
    public StageHarness() {
        this(42L, UnpooledByteBufAllocator.DEFAULT);
    }

    public StageHarness(long seed) {
        this(seed, UnpooledByteBufAllocator.DEFAULT);
    }

    public StageHarness(long seed, ByteBufAllocator alloc) {
        this.random = new Random(seed);
        this.alloc = alloc;
    }

    /** Attributes as the API builds them: the type's defaults, then the given values, validated by the schema. */
    public static Attributes attributes(AttributeSchema schema, Map<String, ?> given) {
        return schema.merge(schema.defaults(), new LinkedHashMap<String, Object>(given));
    }

    /** {@code n} bytes 0, 1, 2, ... (mod 251, so no period lines up with a power of two). */
    public static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 251);
        }
        return b;
    }

    // ---- driving the stage ----------------------------------------------------------------------------------

    /** Binds {@code stage} to this context and starts it, as the engine does when a toxic starts acting. */
    public StageHarness attach(ToxicStage stage) {
        if (state != State.NEW) {
            throw new IllegalStateException("a harness drives one stage");
        }
        this.stage = stage;
        stage.bind(this);
        state = State.ATTACHED;
        stage.onAttach();
        return this;
    }

    /** The sender sends {@code bytes} as one chunk; the stage gets a fresh buffer it owns. */
    public void send(byte[] bytes) {
        ByteBuf buf = alloc.buffer(bytes.length);
        buf.writeBytes(bytes);
        send(buf);
    }

    public void send(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Hands {@code buf} (ownership included) to the stage; the harness checks at {@link #close} it was released. */
    public void send(ByteBuf buf) {
        requireAttached();
        sent.add(buf);
        stage.onData(buf);
    }

    /** The sender half-closes (FIN). */
    public void sendEnd() {
        requireAttached();
        stage.onEnd();
    }

    /** The toxic is removed while the connection stays open. */
    public void detach() {
        requireAttached();
        stage.onDetach();
        state = State.DETACHED;
    }

    /** The connection is over. */
    public void closeStage() {
        requireAttached();
        stage.onClose();
        state = State.CLOSED;
    }

    /** Moves virtual time on by {@code millis}, running every timer due by then, in due order, at its due time. */
    public void advance(long millis) {
        advanceNanos(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go back");
        }
        long target = elapsedNanos + nanos;
        Timer next;
        while ((next = timers.peek()) != null && next.dueNanos <= target) {
            timers.poll();
            if (next.isCancelled()) {
                continue;
            }
            elapsedNanos = Math.max(elapsedNanos, next.dueNanos);
            if (next.setUncancellable()) {
                timerRuns.add(elapsedNanos);
                next.task.run();
                next.trySuccess(null);
            }
        }
        elapsedNanos = target;
    }

    // ---- what happened ---------------------------------------------------------------------------------------

    /** Virtual nanoseconds since the harness was made. */
    public long elapsedNanos() {
        return elapsedNanos;
    }

    public long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(elapsedNanos);
    }

    /** Everything handed on so far, data and FIN, in order. */
    public List<Output> outputs() {
        return List.copyOf(outputs);
    }

    /** The data chunks handed on so far (FIN left out), in order. */
    public List<Output> chunks() {
        return outputs.stream().filter(o -> !o.isEnd()).toList();
    }

    /** All bytes handed on so far, concatenated. */
    public byte[] received() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Output o : outputs) {
            if (!o.isEnd()) {
                all.writeBytes(o.bytes());
            }
        }
        return all.toByteArray();
    }

    /** How many bytes were handed on so far. */
    public long receivedCount() {
        return outputs.stream().filter(o -> !o.isEnd()).mapToLong(o -> o.bytes().length).sum();
    }

    public String receivedText() {
        return new String(received(), StandardCharsets.ISO_8859_1);
    }

    /** How many times the FIN was handed on. */
    public int ends() {
        return (int) outputs.stream().filter(Output::isEnd).count();
    }

    public boolean ended() {
        return ends() > 0;
    }

    /** Bytes the stage reports it holds now. */
    public long held() {
        return heldBytes;
    }

    public long maxHeld() {
        return maxHeldBytes;
    }

    /** Virtual times (ns since start) of each {@link #resetConnection()} call. */
    public List<Long> resets() {
        return List.copyOf(resets);
    }

    /** Virtual times (ns since start) of each {@link #closeConnection()} call. */
    public List<Long> closes() {
        return List.copyOf(closes);
    }

    /** Every {@link #pauseReading} argument, in order. */
    public List<Boolean> pauseCalls() {
        return List.copyOf(pauseCalls);
    }

    public boolean readingPaused() {
        return readingPaused;
    }

    /** What the stage recorded for the timeline, in order. */
    public List<ToxicAction> actions() {
        return List.copyOf(actions);
    }

    /** Virtual times (ns since start) at which the stage's timers ran, in order. */
    public List<Long> timerRuns() {
        return List.copyOf(timerRuns);
    }

    /** Timers scheduled and neither run nor cancelled. */
    public int pendingTimers() {
        return (int) timers.stream().filter(t -> !t.isDone()).count();
    }

    /** Buffers handed to the stage that are not yet fully released. */
    public int unreleased() {
        return (int) sent.stream().filter(b -> b.refCnt() != 0).count();
    }

    /**
     * Ends the stage if it is still attached (the connection is over), then fails if anything leaked: bytes still
     * reported held, held accounting that went below zero, a live timer, an unreleased buffer, or a context call
     * after the stage was removed.
     */
    @Override
    public void close() {
        if (state == State.ATTACHED) {
            closeStage();
        }
        List<String> problems = new ArrayList<>();
        if (heldBytes != 0) {
            problems.add("stage still reports " + heldBytes + " bytes held");
        }
        if (minHeldBytes < 0) {
            problems.add("held accounting went down to " + minHeldBytes);
        }
        if (pendingTimers() != 0) {
            problems.add(pendingTimers() + " timer(s) still scheduled after the stage was removed");
        }
        if (unreleased() != 0) {
            problems.add(unreleased() + " buffer(s) sent to the stage never released");
        }
        if (!lateCalls.isEmpty()) {
            problems.add("calls after the stage was removed: " + lateCalls);
        }
        // Let go of whatever leaked, so one failure does not also trip the leak detector for the whole class.
        for (ByteBuf b : sent) {
            if (b.refCnt() > 0) {
                b.release(b.refCnt());
            }
        }
        sent.clear();
        if (!problems.isEmpty()) {
            throw new AssertionError(String.join("; ", problems));
        }
    }

    // ---- StageContext ----------------------------------------------------------------------------------------

    @Override
    public void forward(ByteBuf data) {
        try {
            late("forward");
            outputs.add(new Output(ByteBufUtil.getBytes(data), elapsedNanos));
        } finally {
            data.release();
        }
    }

    @Override
    public void forwardEnd() {
        late("forwardEnd");
        outputs.add(new Output(null, elapsedNanos));
    }

    @Override
    public void held(long deltaBytes) {
        heldBytes += deltaBytes;
        minHeldBytes = Math.min(minHeldBytes, heldBytes);
        maxHeldBytes = Math.max(maxHeldBytes, heldBytes);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        late("schedule");
        Timer timer = new Timer(task, elapsedNanos + Math.max(0, unit.toNanos(delay)), timerSeq++);
        timers.add(timer);
        return timer;
    }

    @Override
    public void resetConnection() {
        late("resetConnection");
        resets.add(elapsedNanos);
    }

    @Override
    public void closeConnection() {
        late("closeConnection");
        closes.add(elapsedNanos);
    }

    @Override
    public void pauseReading(boolean paused) {
        late("pauseReading(" + paused + ")");
        pauseCalls.add(paused);
        readingPaused = paused;
    }

    @Override
    public void record(ToxicAction action) {
        late("record(" + action + ")");
        actions.add(action);
    }

    @Override
    public Random random() {
        return random;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public long nanoTime() {
        return ORIGIN_NANOS + elapsedNanos;
    }

    private void late(String call) {
        if (state == State.DETACHED || state == State.CLOSED) {
            lateCalls.add(call + " @" + elapsedNanos + "ns");
        }
    }

    private void requireAttached() {
        if (state != State.ATTACHED) {
            throw new IllegalStateException("stage is " + state);
        }
    }

    /** A timer on the virtual clock; a real Netty future, so stages can cancel it as they would a loop's. */
    private final class Timer extends DefaultPromise<Void> implements ScheduledFuture<Void> {
        final Runnable task;
        final long dueNanos;
        final long seq;

        Timer(Runnable task, long dueNanos, long seq) {
            super(ImmediateEventExecutor.INSTANCE);
            this.task = task;
            this.dueNanos = dueNanos;
            this.seq = seq;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - elapsedNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
