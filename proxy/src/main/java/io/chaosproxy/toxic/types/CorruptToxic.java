package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;
import java.util.Random;

/**
 * Flips one random bit in chosen bytes: each byte with probability {@code rate}, or every {@code every_n}-th byte.
 * TCP's checksum cannot catch this, because the proxy re-sends the damaged bytes with a fresh, valid checksum.
 */
public final class CorruptToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.number("rate", "fraction of bytes", 0, 0, 1, "chance that a byte is damaged"),
            AttributeSpec.integer("every_n", "bytes", 0, 0, Integer.MAX_VALUE,
                    "damage every n-th byte instead (0 = use rate)"));

    @Override
    public String name() {
        return "corrupt";
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
        return "Flips a bit in a fraction (rate) of bytes, or in every every_n-th byte.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getDouble("rate"), attributes.getLong("every_n"));
    }

    private static final class Stage extends ToxicStage {
        private final double rate;
        private final long everyN;
        private long position;

        Stage(double rate, long everyN) {
            this.rate = rate;
            this.everyN = everyN;
        }

        @Override
        public void onData(ByteBuf data) {
            Random random = context().random();
            int start = data.readerIndex();
            int length = data.readableBytes();
            if (everyN > 0) {
                long firstHit = (everyN - 1 - position % everyN);
                for (long i = firstHit; i < length; i += everyN) {
                    flip(data, start + (int) i, random);
                }
            } else if (rate > 0) {
                for (int i = 0; i < length; i++) {
                    if (random.nextDouble() < rate) {
                        flip(data, start + i, random);
                    }
                }
            }
            position += length;
            context().forward(data);
        }

        private static void flip(ByteBuf data, int index, Random random) {
            data.setByte(index, data.getByte(index) ^ (1 << random.nextInt(8)));
        }
    }
}
