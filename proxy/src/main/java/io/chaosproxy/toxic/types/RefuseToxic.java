package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Leg;
import io.chaosproxy.toxic.PacketToxicType;
import io.chaosproxy.toxic.SegmentFault;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.model.Direction;

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
    public SegmentFault fault(Attributes attributes, Direction stream) {
        return SegmentFault.reject(Leg.CLIENT, SegmentFault.Target.SYN);
    }
}
