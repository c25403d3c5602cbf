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
 * Drops the proxy's SYN-ACK to the client {@code count} times per attempt (0 = all): the proxy's kernel
 * retransmits it, and the client's SYN retransmissions are answered by SYN-ACKs that may be dropped too.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class SynAckDropToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("count", "SYN-ACKs", 1, 0, 100, "SYN-ACKs to drop per connection attempt; 0 = all"));

    @Override
    public String name() {
        return "synack_drop";
    }

    @Override
    public Phase phase() {
        return Phase.CONNECT;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Drops the proxy's SYN-ACK count times per attempt (0 = all).";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.drop(Leg.CLIENT, SegmentFault.Target.SYNACK, attributes.getLong("count"));
    }
}
