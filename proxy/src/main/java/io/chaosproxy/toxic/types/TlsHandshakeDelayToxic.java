package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Direction;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.TlsRecord;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsToxicType;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Delays each handshake record going {@code stream} (downstream: the server's, so each server flight, one per round
 * trip, arrives {@code delay} ms late; upstream: the client's) by {@code delay} ms. Records arriving together arrive
 * together, late; order is kept. Application data after the handshake is not delayed (it only waits behind a record
 * still held).
 */
public final class TlsHandshakeDelayToxic implements TlsToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 300, 0, 3_600_000, "added to each handshake record"));

    @Override
    public String name() {
        return "tls_handshake_delay";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Delays each handshake record in the toxic's stream by delay ms (a slow handshake).";
    }

    @Override
    public TlsStage newStage(Attributes attributes) {
        return new Stage(TimeUnit.MILLISECONDS.toNanos(attributes.getLong("delay")));
    }

    /** A held record (or raw bytes waiting behind one: {@code record == null}) and when it is due. */
    private record Entry(TlsRecord record, ByteBuf data, long dueNanos) {
    }

    private static final class Stage extends TlsStage {
        private final long delayNanos;
        private final ArrayDeque<Entry> held = new ArrayDeque<>();
        private ScheduledFuture<?> timer;
        private boolean told;
        private boolean endHeld;

        Stage(long delayNanos) {
            this.delayNanos = delayNanos;
        }

        @Override
        public void onRecord(TlsRecord record, ByteBuf data) {
            if (record.direction() != context().stream()) {
                context().forwardRecord(record, data);
                return;
            }
            if (!told) {
                told = true;
                context().record(ToxicAction.of(ToxicAction.Kind.DELAYED_HANDSHAKE_RECORDS,
                        TimeUnit.NANOSECONDS.toMillis(delayNanos)), record.direction() == Direction.UPSTREAM
                        ? io.chaosproxy.model.Leg.SERVER : io.chaosproxy.model.Leg.CLIENT);
            }
            hold(new Entry(record, data, context().nanoTime() + delayNanos));
        }

        @Override
        public void onPassThrough(Direction direction, ByteBuf data) {
            if (direction == context().stream() && !held.isEmpty()) {
                hold(new Entry(null, data, held.peekLast().dueNanos)); // after the handshake: waits, no delay of its own
                return;
            }
            context().forward(direction, data);
        }

        @Override
        public void onEnd(Direction direction) {
            if (direction == context().stream() && !held.isEmpty()) {
                endHeld = true;
                return;
            }
            context().forwardEnd(direction);
        }

        private void hold(Entry e) {
            context().held(context().stream(), e.data.readableBytes());
            held.add(e);
            if (timer == null) {
                schedule();
            }
        }

        private void schedule() {
            long wait = Math.max(0, held.peek().dueNanos - context().nanoTime());
            timer = context().schedule(this::releaseDue, wait, TimeUnit.NANOSECONDS);
        }

        private void releaseDue() {
            timer = null;
            long now = context().nanoTime();
            while (!held.isEmpty() && held.peek().dueNanos <= now) {
                forward(held.poll());
            }
            if (!held.isEmpty()) {
                schedule();
            } else if (endHeld) {
                endHeld = false;
                context().forwardEnd(context().stream());
            }
        }

        private void forward(Entry e) {
            context().held(context().stream(), -e.data.readableBytes());
            if (e.record != null) {
                context().forwardRecord(e.record, e.data);
            } else {
                context().forward(context().stream(), e.data);
            }
        }

        @Override
        public void onDetach() {
            cancel();
            while (!held.isEmpty()) {
                forward(held.poll());
            }
            if (endHeld) {
                endHeld = false;
                context().forwardEnd(context().stream());
            }
        }

        @Override
        public void onClose() {
            cancel();
            Entry e;
            while ((e = held.poll()) != null) {
                context().held(context().stream(), -e.data.readableBytes());
                e.data.release();
            }
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
