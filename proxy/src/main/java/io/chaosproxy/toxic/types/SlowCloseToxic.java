package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.ToxicType;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** Delays the sender's FIN by {@code delay} ms; data flows normally. */
public final class SlowCloseToxic implements ToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 0, 0, 3_600_000, "how long the FIN is held"));

    @Override
    public String name() {
        return "slow_close";
    }

    @Override
    public Phase phase() {
        return Phase.TEARDOWN;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Delays the close (FIN) by delay ms.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("delay"));
    }

    private static final class Stage extends ToxicStage {
        private final long delayMs;
        private ScheduledFuture<?> pendingEnd;

        Stage(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public void onEnd() {
            pendingEnd = context().schedule(this::releaseEnd, delayMs, TimeUnit.MILLISECONDS);
        }

        private void releaseEnd() {
            pendingEnd = null;
            context().forwardEnd();
        }

        @Override
        public void onDetach() {
            if (pendingEnd != null) {
                pendingEnd.cancel(false);
                releaseEnd();
            }
        }

        @Override
        public void onClose() {
            if (pendingEnd != null) {
                pendingEnd.cancel(false);
            }
        }
    }
}
