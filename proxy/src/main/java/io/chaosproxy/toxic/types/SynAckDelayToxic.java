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
 * Holds the proxy's SYN-ACK to the client for {@code delay} ms: the client's connect() takes that much longer.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class SynAckDelayToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 1000, 0, 600_000, "how long the SYN-ACK is held"));

    @Override
    public String name() {
        return "synack_delay";
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
        return "Holds the proxy's SYN-ACK to the client for delay ms (a slow handshake).";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.delay(Leg.CLIENT, SegmentFault.Target.SYNACK, attributes.getLong("delay"));
    }
}
