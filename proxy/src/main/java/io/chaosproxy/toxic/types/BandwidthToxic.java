package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.TimedRelease;
import io.chaosproxy.toxic.HoldingStage;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * Caps throughput at {@code rate} KB/s (1 KB = 1000 bytes, as Toxiproxy counts). Chunks are cut into slices of at
 * most 100 ms worth so the flow is smooth rather than bursty. A rate of 0 stalls the direction: nothing passes
 * until the toxic is removed or changed, and backpressure stops reading from the sender.
 */
public final class BandwidthToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("rate", "KB/s", 0, 0, 100_000_000, "throughput cap; 0 lets nothing through"));

    @Override
    public String name() {
        return "bandwidth";
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
        return "Caps throughput at rate KB/s; 0 stalls the direction.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("rate"));
    }

    private static final class Stage extends HoldingStage {
        private final long bytesPerSecond;

        Stage(long rateKbPerSecond) {
            this.bytesPerSecond = rateKbPerSecond * 1000;
        }


        @Override
        public void onData(ByteBuf data) {
            if (bytesPerSecond == 0) {
                // Held forever: due time beyond any run, released only by onDetach.
                held().add(data, TimedRelease.HELD_UNTIL_FLUSH);
                return;
            }
            int sliceBytes = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytesPerSecond / 10));
            long start = held().lastDueOr(context().nanoTime());
            while (data.isReadable()) {
                int n = Math.min(sliceBytes, data.readableBytes());
                ByteBuf slice = n == data.readableBytes() ? data : data.readRetainedSlice(n);
                long sendTime = TimeUnit.SECONDS.toNanos(n) / bytesPerSecond;
                start += sendTime;
                held().add(slice, start);
                if (slice == data) {
                    break;
                }
            }
        }

        @Override
        public void onEnd() {
            if (bytesPerSecond == 0) {
                held().addEnd(TimedRelease.HELD_UNTIL_FLUSH);
                return;
            }
            held().addEnd(context().nanoTime());
        }


    }
}
