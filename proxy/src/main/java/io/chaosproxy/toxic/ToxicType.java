package io.chaosproxy.toxic;

/**
 * A kind of fault. One implementation per type, registered once in {@link ToxicTypes}; the engine and the API only
 * talk to this contract and never switch on a type's name.
 */
public interface ToxicType {
    /** The name used in the API, e.g. {@code latency}. */
    String name();

    Phase phase();

    default ToxicEngine engine() {
        return ToxicEngine.STREAM;
    }

    AttributeSchema schema();

    /** One-line description for docs and {@code GET /toxic-types}. */
    String description();

    /**
     * A fresh stage for one connection and direction, reading its settings from {@code attributes}; null for types
     * that act only before the dial.
     */
    ToxicStage newStage(Attributes attributes);

    /** For connect-phase types: what happens to an accepted client before the dial. Null for the others. */
    default ConnectGate newConnectGate(Attributes attributes) {
        return null;
    }
}
