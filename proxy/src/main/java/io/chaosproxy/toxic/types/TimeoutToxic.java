package io.chaosproxy.toxic.types;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Lets nothing through (data and FIN are swallowed) and closes the connection after {@code timeout} ms; with 0 it
 * never closes, so the receiver waits until the toxic is removed.
 */
public final class TimeoutToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("timeout", "ms", 0, 0, 86_400_000, "time until the connection is closed; 0 = never"));

    @Override
    public String name() {
        return "timeout";
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
        return "Drops all data, then closes the connection after timeout ms (0 = never close).";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("timeout"));
    }

    private static final class Stage extends ToxicStage {
        private final long timeoutMs;
        private ScheduledFuture<?> closeTimer;
        private boolean swallowedEnd;

        Stage(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void onAttach() {
            if (timeoutMs > 0) {
                closeTimer = context().schedule(context()::closeConnection, timeoutMs, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onData(ByteBuf data) {
            data.release();
        }

        @Override
        public void onEnd() {
            swallowedEnd = true;
            context().record(ToxicAction.of(ToxicAction.Kind.SWALLOWED_FIN));
        }

        @Override
        public void onDetach() {
            cancel();
            if (swallowedEnd) {
                context().forwardEnd();
            }
        }

        @Override
        public void onClose() {
            cancel();
        }

        private void cancel() {
            if (closeTimer != null) {
                closeTimer.cancel(false);
                closeTimer = null;
            }
        }
    }
}
