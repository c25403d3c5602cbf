package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;

/** A toxic type carried out by the packet engine: it declares which segments it acts on and how. */
public non-sealed interface PacketToxicType extends ToxicType {
    @Override
    default ToxicEngine engine() {
        return ToxicEngine.PACKET;
    }

    /** The fault for these settings; {@code stream} is the toxic's direction, for types where it matters. */
    SegmentFault fault(Attributes attributes, Direction stream);
}
