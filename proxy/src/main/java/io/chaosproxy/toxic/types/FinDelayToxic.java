package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.Phase;
import io.chaosproxy.toxic.TimedRelease;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.ToxicType;
import java.util.concurrent.TimeUnit;

/** Passes the sender's FIN on {@code delay} ms late; data sent before it still arrives first, at once. */
public final class FinDelayToxic implements ToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 0, 0, 86_400_000, "how late the FIN is passed on"));

    @Override
    public String name() {
        return "fin_delay";
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
        return "Passes the FIN on delay ms late; earlier data arrives first.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("delay"));
    }

    private static final class Stage extends ToxicStage {
        private final long delayNanos;
        private TimedRelease held;

        Stage(long delayMs) {
            this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
        }

        @Override
        public void onAttach() {
            held = new TimedRelease(context());
        }

        @Override
        public void onEnd() {
            context().record("holding FIN");
            held.addEnd(context().nanoTime() + delayNanos);
        }

        @Override
        public void onDetach() {
            held.flushAll();
        }

        @Override
        public void onClose() {
            held.discardAll();
        }
    }
}
