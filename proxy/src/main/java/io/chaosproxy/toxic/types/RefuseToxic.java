package io.chaosproxy.toxic.types;

import io.chaosproxy.engine.Leg;
import io.chaosproxy.packet.PacketToxicType;
import io.chaosproxy.packet.SegmentFault;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.Phase;
import io.chaosproxy.toxic.StreamDirection;

/**
 * Answers the client's SYN with a reset, as a port with no listener does: the client's connect() fails with
 * "Connection refused". Unlike upstream_refuse, the connection is never accepted.
 * A packet toxic: needs the packet engine (Linux, CAP_NET_ADMIN).
 */
public final class RefuseToxic implements PacketToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of();

    @Override
    public String name() {
        return "refuse";
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
        return "Answers the client's SYN with a reset (connection refused); the proxy never accepts.";
    }

    @Override
    public SegmentFault fault(Attributes attributes, StreamDirection stream) {
        return SegmentFault.reject(Leg.CLIENT, SegmentFault.Target.SYN);
    }
}
