package io.chaosproxy.toxic;

/** Which engine carries out a toxic type. */
public enum ToxicEngine {
    /** The Netty stream engine: acts on bytes and channel events, needs no privileges. */
    STREAM,
    /** The packet engine: acts on TCP segments through NFQUEUE, needs CAP_NET_ADMIN. */
    PACKET;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
