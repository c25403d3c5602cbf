package io.chaosproxy.toxic.examples;

import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.PacketToxicType;
import io.chaosproxy.toxic.SegmentFault;

/** docs/ARCHITECTURE.md's worked example of a packet toxic. */
public final class DropSecondSynToxic implements PacketToxicType {
    public String name() { return "syn_drop_twice"; }
    public Phase phase() { return Phase.CONNECT; }
    public AttributeSchema schema() { return AttributeSchema.of(); }
    public String description() { return "Drops the client's first two SYNs."; }
    public SegmentFault fault(Attributes a, Direction stream) {
        return SegmentFault.drop(Leg.CLIENT, SegmentFault.Target.SYN, 2);
    }
}
