package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Stops reading from the sender for {@code duration} ms (0 = until the toxic is removed). The proxy's receive
 * buffer fills, its advertised window drops to zero and the sender's writes block while its kernel sends zero-window
 * probes; afterwards reading resumes and every byte arrives.
 */
public final class StallToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("duration", "ms", 0, 0, 86_400_000, "how long reading stops; 0 = until removed"));

    @Override
    public String name() {
        return "stall";
    }

    @Override
    public Phase phase() {
        return Phase.ESTABLISHED;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Stops reading from the sender (zero window) for duration ms, then resumes with no byte lost.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("duration"));
    }

    /**
     * Stops reading, and holds whatever still arrives while stalled (bytes read before the pause took effect, bytes
     * the engine kept while the dial was running), so nothing passes before the stall ends; then hands it all on, in
     * order, and reads again.
     */
    private static final class Stage extends ToxicStage {
        private final long durationMs;
        private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
        private ScheduledFuture<?> resume;
        private boolean stalled;
        private boolean endHeld;

        Stage(long durationMs) {
            this.durationMs = durationMs;
        }

        @Override
        public void onAttach() {
            stalled = true;
            context().pauseReading(true);
            if (durationMs > 0) {
                resume = context().schedule(this::resume, durationMs, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onData(ByteBuf data) {
            if (stalled) {
                held.add(data);
                context().held(data.readableBytes());
            } else {
                context().forward(data);
            }
        }

        @Override
        public void onEnd() {
            if (stalled) {
                endHeld = true;
            } else {
                context().forwardEnd();
            }
        }

        private void resume() {
            resume = null;
            stalled = false;
            ByteBuf data;
            while ((data = held.poll()) != null) {
                context().held(-data.readableBytes());
                context().forward(data);
            }
            if (endHeld) {
                endHeld = false;
                context().forwardEnd();
            }
            context().pauseReading(false);
        }

        @Override
        public void onDetach() {
            cancelTimer();
            resume();
        }

        @Override
        public void onClose() {
            cancelTimer();
            ByteBuf data;
            while ((data = held.poll()) != null) {
                context().held(-data.readableBytes());
                data.release();
            }
        }

        private void cancelTimer() {
            if (resume != null) {
                resume.cancel(false);
                resume = null;
            }
        }
    }
}
