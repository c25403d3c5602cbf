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
 * Cuts data into small pieces of {@code average_size} ± {@code size_variation} bytes, sent {@code delay} µs apart,
 * so the receiver sees many short reads (a protocol parser's nightmare). An average size of 0 leaves data whole.
 */
public final class SlicerToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("average_size", "bytes", 0, 0, 1 << 30, "mean slice size; 0 = no slicing"),
            AttributeSpec.integer("size_variation", "bytes", 0, 0, 1 << 30, "random variation, plus or minus"),
            AttributeSpec.integer("delay", "µs", 0, 0, 60_000_000, "pause between slices"));

    @Override
    public String name() {
        return "slicer";
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
        return "Slices data into average_size ± size_variation byte pieces, delay µs apart.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("average_size"), attributes.getLong("size_variation"),
                attributes.getLong("delay"));
    }

    private static final class Stage extends HoldingStage {
        private final long averageSize;
        private final long variation;
        private final long delayNanos;

        Stage(long averageSize, long variation, long delayMicros) {
            this.averageSize = averageSize;
            this.variation = Math.min(variation, Math.max(0, averageSize - 1));
            this.delayNanos = TimeUnit.MICROSECONDS.toNanos(delayMicros);
        }


        @Override
        public void onData(ByteBuf data) {
            if (averageSize == 0) {
                held().add(data, held().lastDueOr(context().nanoTime()));
                return;
            }
            long due = held().lastDueOr(context().nanoTime());
            boolean first = held().isEmpty();
            while (data.isReadable()) {
                int size = (int) Math.min(data.readableBytes(), Math.max(1, averageSize + offset()));
                ByteBuf slice = size == data.readableBytes() ? data : data.readRetainedSlice(size);
                if (!first) {
                    due += delayNanos;
                }
                first = false;
                held().add(slice, due);
                if (slice == data) {
                    break;
                }
            }
        }

        private long offset() {
            if (variation == 0) {
                return 0;
            }
            return (long) ((context().random().nextDouble() * 2 - 1) * variation);
        }

        @Override
        public void onEnd() {
            held().addEnd(held().lastDueOr(context().nanoTime()));
        }


    }
}
