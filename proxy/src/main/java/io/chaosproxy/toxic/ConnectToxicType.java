package io.chaosproxy.toxic;

import io.chaosproxy.model.Phase;

/** A connect-phase toxic type the stream engine carries out on an accepted client, before it dials the upstream. */
public non-sealed interface ConnectToxicType extends ToxicType {
    @Override
    default Phase phase() {
        return Phase.CONNECT;
    }

    @Override
    default ToxicEngine engine() {
        return ToxicEngine.STREAM;
    }

    /** What happens to one accepted client before the dial. */
    ConnectGate newConnectGate(Attributes attributes);
}
