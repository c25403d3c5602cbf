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
 * Resets the connection (RST to both sides, SO_LINGER 0). With {@code after_bytes} above 0, the RST comes once that
 * many bytes have passed in this direction (exactly that many are delivered first); otherwise, or additionally
 * when {@code timeout} is above 0, it comes {@code timeout} ms after the toxic starts acting on the connection (at
 * its start, or when added to an open connection). Data flows until then.
 */
public final class ResetPeerToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("timeout", "ms", 0, 0, 86_400_000, "time until the RST; 0 = at once"),
            AttributeSpec.integer("after_bytes", "bytes", 0, 0, Long.MAX_VALUE,
                    "RST once this many bytes have passed; 0 = off"));

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
        return "Resets the connection (RST both ways) after timeout ms, or once after_bytes bytes have passed.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("timeout"), attributes.getLong("after_bytes"));
    }

    private static final class Stage extends ToxicStage {
        private final long timeoutMs;
        private final long afterBytes;
        private long passed;
        private boolean reset;
        private ScheduledFuture<?> resetTimer;

        Stage(long timeoutMs, long afterBytes) {
            this.timeoutMs = timeoutMs;
            this.afterBytes = afterBytes;
        }

        @Override
        public void onAttach() {
            if (afterBytes == 0 && timeoutMs == 0) {
                // At once, not from a 0 ms timer: data that completes in the same loop turn (a fast server's
                // answer) would otherwise get through before the RST.
                reset(ToxicAction.of(ToxicAction.Kind.RST_AFTER_MS, 0));
                return;
            }
            if (afterBytes == 0 || timeoutMs > 0) {
                resetTimer = context().schedule(() -> reset(ToxicAction.of(ToxicAction.Kind.RST_AFTER_MS, timeoutMs)), timeoutMs,
                        TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onData(ByteBuf data) {
            if (reset) {
                data.release();
                return;
            }
            if (afterBytes == 0 || passed + data.readableBytes() < afterBytes) {
                passed += data.readableBytes();
                context().forward(data);
                return;
            }
            long room = afterBytes - passed;
            if (room > 0) {
                context().forward(data.readRetainedSlice((int) room));
                passed += room;
            }
            data.release();
            reset(ToxicAction.of(ToxicAction.Kind.RST_AFTER_BYTES, afterBytes));
        }

        private void reset(ToxicAction why) {
            if (!reset) {
                reset = true;
                context().record(why);
                context().resetConnection();
            }
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
