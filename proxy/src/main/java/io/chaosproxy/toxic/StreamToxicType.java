package io.chaosproxy.toxic;

/** A toxic type the stream engine carries out on an established connection's bytes, FIN and close. */
public non-sealed interface StreamToxicType extends ToxicType {
    @Override
    default ToxicEngine engine() {
        return ToxicEngine.STREAM;
    }

    /** A fresh stage for one connection and direction, reading its settings from {@code attributes}. */
    ToxicStage newStage(Attributes attributes);
}
