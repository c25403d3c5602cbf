package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.ToxicTypes;

/** Every built-in toxic type: adding a type is one class in this package and one line here. */
public final class BuiltInToxics {
    private BuiltInToxics() {
    }

    public static ToxicTypes registry() {
        ToxicTypes types = new ToxicTypes();
        types.register(new LatencyToxic());
        types.register(new BandwidthToxic());
        types.register(new SlowCloseToxic());
        types.register(new TimeoutToxic());
        types.register(new ResetPeerToxic());
        types.register(new SlicerToxic());
        types.register(new LimitDataToxic());
        types.register(new NoopToxic());
        // Ours, by phase: connect, tls, established, teardown.
        types.register(new AcceptDelayToxic());
        types.register(new UpstreamRefuseToxic());
        types.register(new UpstreamBlackholeToxic());
        types.register(new TlsHelloStallToxic());
        types.register(new TlsResetAfterToxic());
        types.register(new TlsCutFlightToxic());
        types.register(new TlsHandshakeDelayToxic());
        types.register(new TlsCloseAfterHandshakeToxic());
        types.register(new StallToxic());
        types.register(new CorruptToxic());
        types.register(new PacketLossToxic());
        types.register(new FinDropToxic());
        types.register(new FinDelayToxic());
        types.register(new RstOnCloseToxic());
        // Packet engine (NFQUEUE): client leg, then server leg.
        types.register(new SynDropToxic());
        types.register(new SynAckDelayToxic());
        types.register(new SynAckDropToxic());
        types.register(new AckDropToxic());
        types.register(new AckDelayToxic());
        types.register(new RefuseToxic());
        types.register(new FinDropPacketToxic());
        types.register(new UpstreamSynDropToxic());
        types.register(new UpstreamSynAckDelayToxic());
        return types;
    }
}
