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
 * Drops the client's SYN {@code count} times per connection attempt (0 = every time), so the client's kernel
 * retransmits it; a user-space proxy cannot do this, since the kernel completes the handshake before accept().
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class SynDropToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("count", "SYNs", 1, 0, 100, "SYNs to drop per connection attempt; 0 = all"));

    @Override
    public String name() {
        return "syn_drop";
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
        return "Drops the client's SYN count times per attempt (0 = all): the client's kernel retransmits it.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.drop(Leg.CLIENT, SegmentFault.Target.SYN, attributes.getLong("count"));
    }
}
