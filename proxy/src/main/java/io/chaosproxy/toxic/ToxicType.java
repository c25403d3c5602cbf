package io.chaosproxy.toxic;

import io.chaosproxy.model.Phase;

/**
 * A kind of fault. One implementation per type, registered once (see {@code BuiltInToxics}); the engines and the API
 * only talk to this contract and never switch on a type's name. The family is sealed: a type acts either on the
 * stream of an established connection ({@link StreamToxicType}), on an accepted client before the dial
 * ({@link ConnectToxicType}), on the records of a TLS handshake ({@link TlsToxicType}), or on TCP segments through the packet engine ({@link PacketToxicType}); what it can do
 * is the interface it implements, not a method that returns null.
 */
public sealed interface ToxicType permits StreamToxicType, ConnectToxicType, PacketToxicType,
        TlsToxicType {
    /** The name used in the API, e.g. {@code latency}. */
    String name();

    Phase phase();

    ToxicEngine engine();

    AttributeSchema schema();

    /** One-line description for docs and {@code GET /toxic-types}. */
    String description();
}
