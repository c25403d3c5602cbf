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
 * Holds the upstream's SYN-ACK to the proxy for {@code delay} ms: every dial to that upstream address takes that
 * much longer.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class UpstreamSynAckDelayToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 1000, 0, 600_000, "how long the SYN-ACK from the upstream is held"));

    @Override
    public String name() {
        return "upstream_synack_delay";
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
        return "Holds the upstream's SYN-ACK for delay ms: a slow dial.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.delay(Leg.SERVER, SegmentFault.Target.SYNACK, attributes.getLong("delay"));
    }
}
