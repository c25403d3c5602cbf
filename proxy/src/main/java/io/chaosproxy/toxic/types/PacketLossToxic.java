package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;

/**
 * Toxiproxy's packet_loss on the stream: drops whole chunks with probability {@code loss_rate}; {@code correlation}
 * makes a drop more likely right after a drop (bursty loss), as in Toxiproxy. The receiver sees a gap in the data,
 * not a retransmission: the proxy already acknowledged those bytes.
 */
public final class PacketLossToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.number("loss_rate", "fraction of chunks", 0, 0, 1, "chance that a chunk is dropped"),
            AttributeSpec.number("correlation", "fraction", 0, 0, 1, "weight of the previous chunk's fate"));

    @Override
    public String name() {
        return "packet_loss";
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
        return "Drops whole data chunks with probability loss_rate (correlation makes losses bursty).";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getDouble("loss_rate"), attributes.getDouble("correlation"));
    }

    private static final class Stage extends ToxicStage {
        private final double lossRate;
        private final double correlation;
        private boolean lastDropped;
        /** The first chunk has no previous fate to lean on: its chance is the plain loss rate. */
        private boolean first = true;

        Stage(double lossRate, double correlation) {
            this.lossRate = lossRate;
            this.correlation = correlation;
        }

        @Override
        public void onData(ByteBuf data) {
            double previous = first ? lossRate : lastDropped ? 1.0 : 0.0;
            first = false;
            // With correlation 1 a connection keeps its first chunk's fate: all lost or none, as with netem.
            double chance = correlation * previous + (1 - correlation) * lossRate;
            lastDropped = context().random().nextDouble() < chance;
            if (lastDropped) {
                data.release();
            } else {
                context().forward(data);
            }
        }
    }
}
