package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.TlsRecord;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsStep;
import io.chaosproxy.toxic.TlsToxicType;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Holds the client's ClientHello (and anything the client sends after it) for {@code duration} ms, or until the
 * toxic is removed: the server never sees the hello, so the client's handshake timeout fires. If the client gives up
 * and closes meanwhile, the server gets the close without the hello.
 */
public final class TlsHelloStallToxic implements TlsToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("duration", "ms", 0, 0, 86_400_000, "how long the hello is held; 0 = until removed"));

    @Override
    public String name() {
        return "tls_hello_stall";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Holds the ClientHello for duration ms (0 = until removed): the server never sees it.";
    }

    @Override
    public TlsStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("duration"));
    }

    private static final class Stage extends TlsStage {
        private final long durationMs;
        /** What the client sent from its hello on, in order: whole records or raw bytes. */
        private final ArrayDeque<Object[]> held = new ArrayDeque<>();
        private boolean holding;
        private boolean released;
        private ScheduledFuture<?> timer;

        Stage(long durationMs) {
            this.durationMs = durationMs;
        }

        @Override
        public void onRecord(TlsRecord record, ByteBuf data) {
            if (record.step() == TlsStep.CLIENT_HELLO && !released) {
                holding = true;
                context().record(ToxicAction.of(ToxicAction.Kind.HELD_CLIENT_HELLO), Leg.CLIENT);
                if (durationMs > 0) {
                    timer = context().schedule(this::release, durationMs, TimeUnit.MILLISECONDS);
                }
            }
            if (holding && record.direction() == Direction.UPSTREAM) {
                hold(new Object[] {record, data}, data.readableBytes());
                return;
            }
            context().forwardRecord(record, data);
        }

        @Override
        public void onPassThrough(Direction direction, ByteBuf data) {
            if (holding && direction == Direction.UPSTREAM) {
                hold(new Object[] {direction, data}, data.readableBytes());
                return;
            }
            context().forward(direction, data);
        }

        @Override
        public void onEnd(Direction direction) {
            if (holding && direction == Direction.UPSTREAM) {
                // The client gave up (its timeout): the server sees the close, never the hello.
                discard();
                holding = false;
                released = true;
            }
            context().forwardEnd(direction);
        }

        private void hold(Object[] entry, int bytes) {
            held.add(entry);
            context().held(Direction.UPSTREAM, bytes);
        }

        private void release() {
            timer = null;
            holding = false;
            released = true;
            Object[] e;
            while ((e = held.poll()) != null) {
                ByteBuf data = (ByteBuf) e[1];
                context().held(Direction.UPSTREAM, -data.readableBytes());
                if (e[0] instanceof TlsRecord record) {
                    context().forwardRecord(record, data);
                } else {
                    context().forward(Direction.UPSTREAM, data);
                }
            }
        }

        private void discard() {
            Object[] e;
            while ((e = held.poll()) != null) {
                ByteBuf data = (ByteBuf) e[1];
                context().held(Direction.UPSTREAM, -data.readableBytes());
                data.release();
            }
        }

        @Override
        public void onDetach() {
            cancel();
            release();
        }

        @Override
        public void onClose() {
            cancel();
            discard();
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }
}
