package io.chaosproxy.toxic;

import io.chaosproxy.toxic.types.AcceptDelayToxic;
import io.chaosproxy.toxic.types.BandwidthToxic;
import io.chaosproxy.toxic.types.CorruptToxic;
import io.chaosproxy.toxic.types.FinDelayToxic;
import io.chaosproxy.toxic.types.FinDropToxic;
import io.chaosproxy.toxic.types.LatencyToxic;
import io.chaosproxy.toxic.types.LimitDataToxic;
import io.chaosproxy.toxic.types.NoopToxic;
import io.chaosproxy.toxic.types.PacketLossToxic;
import io.chaosproxy.toxic.types.ResetPeerToxic;
import io.chaosproxy.toxic.types.RstOnCloseToxic;
import io.chaosproxy.toxic.types.SlicerToxic;
import io.chaosproxy.toxic.types.SlowCloseToxic;
import io.chaosproxy.toxic.types.StallToxic;
import io.chaosproxy.toxic.types.TimeoutToxic;
import io.chaosproxy.toxic.types.UpstreamBlackholeToxic;
import io.chaosproxy.toxic.types.UpstreamRefuseToxic;
import io.chaosproxy.toxic.types.SynDropToxic;
import io.chaosproxy.toxic.types.SynAckDelayToxic;
import io.chaosproxy.toxic.types.SynAckDropToxic;
import io.chaosproxy.toxic.types.AckDropToxic;
import io.chaosproxy.toxic.types.AckDelayToxic;
import io.chaosproxy.toxic.types.RefuseToxic;
import io.chaosproxy.toxic.types.FinDropPacketToxic;
import io.chaosproxy.toxic.types.UpstreamSynDropToxic;
import io.chaosproxy.toxic.types.UpstreamSynAckDelayToxic;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The registry of toxic types: adding a type is one class and one line here. */
public final class ToxicTypes {
    private final Map<String, ToxicType> byName = new LinkedHashMap<>();

    public static ToxicTypes builtIn() {
        ToxicTypes types = new ToxicTypes();
        types.register(new LatencyToxic());
        types.register(new BandwidthToxic());
        types.register(new SlowCloseToxic());
        types.register(new TimeoutToxic());
        types.register(new ResetPeerToxic());
        types.register(new SlicerToxic());
        types.register(new LimitDataToxic());
        types.register(new NoopToxic());
        // Ours, by phase: connect, established, teardown.
        types.register(new AcceptDelayToxic());
        types.register(new UpstreamRefuseToxic());
        types.register(new UpstreamBlackholeToxic());
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

    public void register(ToxicType type) {
        if (byName.putIfAbsent(type.name(), type) != null) {
            throw new IllegalArgumentException("toxic type registered twice: " + type.name());
        }
    }

    public Optional<ToxicType> find(String name) {
        return Optional.ofNullable(name == null ? null : byName.get(name));
    }

    public Collection<ToxicType> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
