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
 * Drops the client's handshake-completing ACK {@code count} times: the client believes it is connected while the
 * proxy's side stays in SYN-RECV, so accept() is late (until the SYN-ACK retransmission is answered again).
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class AckDropToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("count", "ACKs", 1, 0, 100, "handshake ACKs to drop per connection attempt; 0 = all"));

    @Override
    public String name() {
        return "ack_drop";
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
        return "Drops the client's handshake-completing ACK count times: the client is connected, the proxy accepts late.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.drop(Leg.CLIENT, SegmentFault.Target.HANDSHAKE_ACK, attributes.getLong("count"));
    }
}
