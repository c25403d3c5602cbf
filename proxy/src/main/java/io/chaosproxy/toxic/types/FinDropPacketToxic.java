package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Leg;
import io.chaosproxy.toxic.PacketToxicType;
import io.chaosproxy.toxic.SegmentFault;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.model.Direction;

/**
 * Drops FIN segments {@code count} times per connection (0 = all), so the sender's kernel retransmits them:
 * {@code upstream} drops the client's FIN, {@code downstream} the proxy's FIN to the client.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class FinDropPacketToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("count", "FINs", 1, 0, 100, "FIN segments to drop per connection; 0 = all"));

    @Override
    public String name() {
        return "fin_drop_packet";
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
        return "Drops FIN segments count times per connection (0 = all): the kernel retransmits them. upstream = the client's FIN, downstream = the proxy's.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.drop(Leg.CLIENT, stream == Direction.UPSTREAM ? SegmentFault.Target.FIN_FROM_CONNECTOR
                : SegmentFault.Target.FIN_FROM_ACCEPTOR, attributes.getLong("count"));
    }
}
