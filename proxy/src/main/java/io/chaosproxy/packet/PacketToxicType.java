package io.chaosproxy.packet;

import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.StreamDirection;
import io.chaosproxy.toxic.ToxicEngine;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.ToxicType;

/** A toxic type carried out by the packet engine: it declares which segments it acts on and how. */
public interface PacketToxicType extends ToxicType {
    @Override
    default ToxicEngine engine() {
        return ToxicEngine.PACKET;
    }

    /** Packet toxics never act on the stream. */
    @Override
    default ToxicStage newStage(Attributes attributes) {
        return null;
    }

    /** The fault for these settings; {@code stream} is the toxic's direction, for types where it matters. */
    SegmentFault fault(Attributes attributes, StreamDirection stream);
}
