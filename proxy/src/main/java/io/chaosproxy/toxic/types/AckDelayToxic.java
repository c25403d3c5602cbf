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
 * Holds the client's handshake-completing ACK for {@code delay} ms: the client is connected at once, the proxy
 * accepts that much later.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class AckDelayToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 1000, 0, 600_000, "how long the handshake ACK is held"));

    @Override
    public String name() {
        return "ack_delay";
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
        return "Holds the client's handshake-completing ACK for delay ms: the proxy accepts late.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.delay(Leg.CLIENT, SegmentFault.Target.HANDSHAKE_ACK, attributes.getLong("delay"));
    }
}
