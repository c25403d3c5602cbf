package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.ToxicType;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Resets the connection (RST to both sides, SO_LINGER 0) {@code timeout} ms after the toxic starts acting on it:
 * at the connection's start, or when the toxic is added to an open connection. Data flows until then.
 */
public final class ResetPeerToxic implements ToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("timeout", "ms", 0, 0, 86_400_000, "time until the RST; 0 = at once"));

    @Override
    public String name() {
        return "reset_peer";
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
        return "Resets the connection (RST both ways) after timeout ms.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("timeout"));
    }

    private static final class Stage extends ToxicStage {
        private final long timeoutMs;
        private ScheduledFuture<?> resetTimer;

        Stage(long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        @Override
        public void onAttach() {
            resetTimer = context().schedule(context()::resetConnection, timeoutMs, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onDetach() {
            onClose();
        }

        @Override
        public void onClose() {
            if (resetTimer != null) {
                resetTimer.cancel(false);
                resetTimer = null;
            }
        }
    }
}
