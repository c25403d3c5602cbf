package io.chaosproxy.toxic.types;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Swallows the sender's FIN: the receiver never sees EOF, so the connection is half-open from its point of view.
 * After {@code then_ms} (if above 0) the proxy does {@code then}: {@code rst} resets the connection, {@code fin}
 * passes the FIN on late, {@code none} leaves it half-open.
 */
public final class FinDropToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("then_ms", "ms", 0, 0, 86_400_000, "when to act after the swallowed FIN; 0 = never"),
            AttributeSpec.choice("then", "none", List.of("rst", "fin", "none"), "what happens after then_ms"));

    @Override
    public String name() {
        return "fin_drop";
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
        return "Swallows the FIN (half-open connection); after then_ms, then: rst, fin or none.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("then_ms"), attributes.getText("then"));
    }

    private static final class Stage extends ToxicStage {
        private final long thenMs;
        private final String then;
        private boolean swallowed;
        private ScheduledFuture<?> action;

        Stage(long thenMs, String then) {
            this.thenMs = thenMs;
            this.then = then;
        }

        @Override
        public void onEnd() {
            swallowed = true;
            context().record(ToxicAction.of(ToxicAction.Kind.SWALLOWED_FIN));
            if (thenMs > 0 && !then.equals("none")) {
                action = context().schedule(this::act, thenMs, TimeUnit.MILLISECONDS);
            }
        }

        private void act() {
            action = null;
            context().record(ToxicAction.of(then.equals("rst") ? ToxicAction.Kind.THEN_RST : ToxicAction.Kind.THEN_FIN));
            if (then.equals("rst")) {
                context().resetConnection();
            } else {
                swallowed = false;
                context().forwardEnd();
            }
        }

        @Override
        public void onDetach() {
            onClose();
            if (swallowed) {
                // Removing the toxic restores faithful TCP: the receiver gets the FIN it was owed.
                context().forwardEnd();
            }
        }

        @Override
        public void onClose() {
            if (action != null) {
                action.cancel(false);
                action = null;
            }
        }
    }
}
