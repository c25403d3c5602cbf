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
 * Drops the proxy's SYN to the upstream {@code count} times per dial (0 = all): the dial takes the kernel's
 * retransmission time, or times out (then the client is reset). Acts on every dial to that upstream address.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class UpstreamSynDropToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("count", "SYNs", 1, 0, 100, "SYNs to drop per dial; 0 = all"));

    @Override
    public String name() {
        return "upstream_syn_drop";
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
        return "Drops the proxy's SYN to the upstream count times per dial (0 = all): a slow or failed dial.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.drop(Leg.SERVER, SegmentFault.Target.SYN, attributes.getLong("count"));
    }
}
