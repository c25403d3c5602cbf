package io.chaosproxy.toxic;

import io.chaosproxy.model.Phase;

/**
 * A toxic type the stream engine carries out on a TLS handshake: its stage sees the handshake's records both ways,
 * whole and classified ({@link TlsRecord}), while the engine's TLS reader runs on the connection. Nothing is
 * decrypted; once the handshake is done the reader (and the stage) step out of the way.
 */
public non-sealed interface TlsToxicType extends ToxicType {
    @Override
    default ToxicEngine engine() {
        return ToxicEngine.STREAM;
    }

    @Override
    default Phase phase() {
        return Phase.TLS;
    }

    /** A fresh stage for one connection, reading its settings from {@code attributes}. */
    TlsStage newStage(Attributes attributes);
}
