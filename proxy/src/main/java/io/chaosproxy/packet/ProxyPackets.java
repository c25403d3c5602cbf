package io.chaosproxy.packet;

import io.chaosproxy.toxic.SegmentFault;
import io.chaosproxy.model.Leg;
import io.chaosproxy.toxic.Applicability;
import io.chaosproxy.toxic.Toxic;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One proxy as the packet engine sees it: where its legs are, its packet toxics, and the connection attempts in
 * flight. Immutable configuration; the attempt table is touched by the receiving thread only.
 */
final class ProxyPackets {
    /** The fate of one segment. */
    record Outcome(Verdict verdict, long releaseAtNanos) {
        static final Outcome ACCEPT = new Outcome(Verdict.ACCEPT, 0);
        static final Outcome DROP = new Outcome(Verdict.DROP, 0);
        static final Outcome REJECT = new Outcome(Verdict.REJECT, 0);
    }

    enum Verdict {
        ACCEPT, DROP, DELAY, REJECT;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A toxic with the fault its type declared, and how many attempts it was considered for. */
    record ArmedFault(Toxic toxic, SegmentFault fault, AtomicLong attempts) {
    }

    /** One connection attempt on one leg, keyed by the connecting side's address and port and the accepting side's. */
    record FlowKey(Leg leg, InetAddress connector, int connectorPort, InetAddress acceptor, int acceptorPort) {
    }

    static final class Flow {
        long connectorIsn = -1;
        long acceptorIsn = -1;
        long firstSynNanos = -1;
        long lastSynNanos;
        boolean synAckSeen;
        boolean handshakeDone;
        boolean handshakeTimed;
        final Map<String, ToxicState> toxics = new HashMap<>(4);
    }

    /** A toxic's decision for one attempt: rolled once, then counted. */
    static final class ToxicState {
        final boolean applies;
        long hits;
        long firstNanos = -1;

        ToxicState(boolean applies) {
            this.applies = applies;
        }
    }

    private static final int MAX_FLOWS = 65_536;

    final String name;
    final InetSocketAddress listen;
    final Set<InetAddress> upstream;
    final int upstreamPort;
    final List<ArmedFault> faults;
    final boolean clientLeg;
    final boolean serverLeg;
    final RulePlan rules;
    final SegmentLog log;
    /** Shared by successive configurations of the same proxy, so attempts in flight keep their state. */
    final Map<FlowKey, Flow> flows;

    ProxyPackets(String name, InetSocketAddress listen, Set<InetAddress> upstream, int upstreamPort,
            List<ArmedFault> faults, RulePlan rules, SegmentLog log, Map<FlowKey, Flow> flows) {
        this.name = name;
        this.listen = listen;
        this.upstream = upstream;
        this.upstreamPort = upstreamPort;
        this.faults = faults;
        this.clientLeg = faults.stream().anyMatch(f -> f.fault().leg() == Leg.CLIENT);
        this.serverLeg = faults.stream().anyMatch(f -> f.fault().leg() == Leg.SERVER);
        this.rules = rules;
        this.log = log;
        this.flows = flows;
    }

    static Map<FlowKey, Flow> newFlowTable() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<FlowKey, Flow> eldest) {
                return size() > MAX_FLOWS;
            }
        };
    }

    /** Which leg a segment from {@code hook} belongs to, and whether the connecting side sent it; null if neither. */
    Boolean fromConnector(Segment s, int hook, Leg leg) {
        if (leg == Leg.CLIENT) {
            if (!clientLeg || listen == null) {
                return null;
            }
            if (hook == NfQueue.HOOK_LOCAL_IN && s.dstPort() == listen.getPort() && listens(s.dst())) {
                return true;
            }
            if (hook == NfQueue.HOOK_LOCAL_OUT && s.srcPort() == listen.getPort() && listens(s.src())) {
                return false;
            }
            return null;
        }
        if (!serverLeg) {
            return null;
        }
        if (hook == NfQueue.HOOK_LOCAL_OUT && s.dstPort() == upstreamPort && upstream.contains(s.dst())) {
            return true;
        }
        if (hook == NfQueue.HOOK_LOCAL_IN && s.srcPort() == upstreamPort && upstream.contains(s.src())) {
            return false;
        }
        return null;
    }

    private boolean listens(InetAddress a) {
        return listen.getAddress().isAnyLocalAddress() || listen.getAddress().equals(a);
    }

    /** Decides a segment's fate, updating the attempt's state; receiving thread only. */
    Outcome decide(Leg leg, boolean fromConnector, Segment s, long now, PacketMetrics metrics, long[] relative) {
        FlowKey key = fromConnector ? new FlowKey(leg, s.src(), s.srcPort(), s.dst(), s.dstPort())
                : new FlowKey(leg, s.dst(), s.dstPort(), s.src(), s.srcPort());
        Flow f = flows.get(key);
        SegmentFault.Target role = null;
        if (s.is(Segment.SYN) && !s.is(Segment.ACK)) {
            if (fromConnector) {
                if (f == null || f.connectorIsn != s.seq()) {
                    f = new Flow();
                    f.connectorIsn = s.seq();
                    f.firstSynNanos = now;
                    flows.put(key, f);
                } else {
                    metrics.synRetransmission(name, leg.label(), now - f.lastSynNanos);
                }
                f.lastSynNanos = now;
                role = SegmentFault.Target.SYN;
            }
        } else if (f == null) {
            if (s.is(Segment.FIN) && !s.is(Segment.RST)) {
                f = new Flow(); // a connection older than the rules: FIN faults still apply
                flows.put(key, f);
                role = fromConnector ? SegmentFault.Target.FIN_FROM_CONNECTOR : SegmentFault.Target.FIN_FROM_ACCEPTOR;
            }
        } else if (s.is(Segment.SYN)) {
            if (!fromConnector) {
                f.acceptorIsn = s.seq();
                f.synAckSeen = true;
                role = SegmentFault.Target.SYNACK;
            }
        } else if (s.is(Segment.RST)) {
            role = null;
        } else if (s.is(Segment.FIN)) {
            role = fromConnector ? SegmentFault.Target.FIN_FROM_CONNECTOR : SegmentFault.Target.FIN_FROM_ACCEPTOR;
        } else if (fromConnector && s.is(Segment.ACK) && f.synAckSeen && !f.handshakeDone
                && s.ack() == ((f.acceptorIsn + 1) & 0xffffffffL)) {
            role = SegmentFault.Target.HANDSHAKE_ACK;
            if (!f.handshakeTimed && f.firstSynNanos >= 0) {
                f.handshakeTimed = true;
                metrics.handshake(name, leg.label(), now - f.firstSynNanos);
            }
        }
        if (f != null) {
            long senderIsn = fromConnector ? f.connectorIsn : f.acceptorIsn;
            long receiverIsn = fromConnector ? f.acceptorIsn : f.connectorIsn;
            relative[0] = senderIsn < 0 ? s.seq() : (s.seq() - senderIsn) & 0xffffffffL;
            relative[1] = !s.is(Segment.ACK) ? 0 : receiverIsn < 0 ? s.ack() : (s.ack() - receiverIsn) & 0xffffffffL;
        } else {
            relative[0] = s.seq();
            relative[1] = s.is(Segment.ACK) ? s.ack() : 0;
        }
        if (role == null) {
            return Outcome.ACCEPT;
        }
        Outcome outcome = faultOutcome(leg, role, key, f, now);
        if (role == SegmentFault.Target.HANDSHAKE_ACK && outcome.verdict() == Verdict.ACCEPT) {
            f.handshakeDone = true;
        }
        return outcome;
    }

    private Outcome faultOutcome(Leg leg, SegmentFault.Target role, FlowKey key, Flow f, long now) {
        for (ArmedFault af : faults) {
            SegmentFault fault = af.fault();
            if (fault.leg() != leg || fault.target() != role) {
                continue;
            }
            ToxicState state = f.toxics.computeIfAbsent(af.toxic().name(), n -> new ToxicState(roll(af, key)));
            if (!state.applies) {
                continue;
            }
            switch (fault.action()) {
                case DROP -> {
                    if (fault.count() == 0 || state.hits < fault.count()) {
                        state.hits++;
                        return Outcome.DROP;
                    }
                }
                case DELAY -> {
                    if (state.firstNanos < 0) {
                        state.firstNanos = now;
                    }
                    long release = state.firstNanos + fault.delayMs() * 1_000_000L;
                    if (now < release) {
                        return new Outcome(Verdict.DELAY, release);
                    }
                }
                case REJECT -> {
                    return Outcome.REJECT;
                }
                default -> {
                }
            }
        }
        return Outcome.ACCEPT;
    }

    /** Once per attempt and toxic: the selector (counting attempts), then toxicity; see {@link Applicability}. */
    private static boolean roll(ArmedFault af, FlowKey key) {
        Toxic toxic = af.toxic();
        long attempt = af.attempts().incrementAndGet();
        toxic.trafficSeen().incrementAndGet(); // an attempt that reached the proxy while the toxic was armed
        if (!Applicability.selects(toxic, attempt, key.leg() == Leg.CLIENT ? key.connector() : null)) {
            return false;
        }
        Random random = Applicability.random(toxic, toxic.stream(), attempt, ThreadLocalRandom.current().nextLong());
        return Applicability.draw(toxic, random);
    }
}
