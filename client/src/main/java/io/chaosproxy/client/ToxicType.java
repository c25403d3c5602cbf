package io.chaosproxy.client;

import java.util.Locale;

/** Every built-in toxic type, with the phase it acts on and the engine that carries it out. */
public enum ToxicType {
    // Toxiproxy's set.
    LATENCY(Phase.ESTABLISHED, Engine.STREAM),
    BANDWIDTH(Phase.ESTABLISHED, Engine.STREAM),
    SLOW_CLOSE(Phase.TEARDOWN, Engine.STREAM),
    TIMEOUT(Phase.ESTABLISHED, Engine.STREAM),
    RESET_PEER(Phase.ESTABLISHED, Engine.STREAM),
    SLICER(Phase.ESTABLISHED, Engine.STREAM),
    LIMIT_DATA(Phase.ESTABLISHED, Engine.STREAM),
    NOOP(Phase.ESTABLISHED, Engine.STREAM),
    // Phase-specific, stream engine.
    ACCEPT_DELAY(Phase.CONNECT, Engine.STREAM),
    UPSTREAM_REFUSE(Phase.CONNECT, Engine.STREAM),
    UPSTREAM_BLACKHOLE(Phase.CONNECT, Engine.STREAM),
    TLS_HELLO_STALL(Phase.TLS, Engine.STREAM),
    TLS_RESET_AFTER(Phase.TLS, Engine.STREAM),
    TLS_CUT_FLIGHT(Phase.TLS, Engine.STREAM),
    TLS_HANDSHAKE_DELAY(Phase.TLS, Engine.STREAM),
    TLS_CLOSE_AFTER_HANDSHAKE(Phase.TLS, Engine.STREAM),
    STALL(Phase.ESTABLISHED, Engine.STREAM),
    CORRUPT(Phase.ESTABLISHED, Engine.STREAM),
    PACKET_LOSS(Phase.ESTABLISHED, Engine.STREAM),
    FIN_DROP(Phase.TEARDOWN, Engine.STREAM),
    FIN_DELAY(Phase.TEARDOWN, Engine.STREAM),
    RST_ON_CLOSE(Phase.TEARDOWN, Engine.STREAM),
    // Packet engine.
    SYN_DROP(Phase.CONNECT, Engine.PACKET),
    SYNACK_DELAY(Phase.CONNECT, Engine.PACKET),
    SYNACK_DROP(Phase.CONNECT, Engine.PACKET),
    ACK_DROP(Phase.CONNECT, Engine.PACKET),
    ACK_DELAY(Phase.CONNECT, Engine.PACKET),
    REFUSE(Phase.CONNECT, Engine.PACKET),
    FIN_DROP_PACKET(Phase.TEARDOWN, Engine.PACKET),
    UPSTREAM_SYN_DROP(Phase.CONNECT, Engine.PACKET),
    UPSTREAM_SYNACK_DELAY(Phase.CONNECT, Engine.PACKET);

    private final Phase phase;
    private final Engine engine;

    ToxicType(Phase phase, Engine engine) {
        this.phase = phase;
        this.engine = engine;
    }

    /** The name the API uses, e.g. {@code reset_peer}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Phase phase() {
        return phase;
    }

    public Engine engine() {
        return engine;
    }

    /** The type with this API name, or null for a type this client does not know (a newer server's). */
    public static ToxicType fromApiName(String name) {
        for (ToxicType t : values()) {
            if (t.apiName().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
