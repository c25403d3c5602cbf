package io.chaosproxy.packet;

import io.chaosproxy.model.SegmentRecord;
import io.chaosproxy.toxic.PacketToxicType;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.Leg;
import io.chaosproxy.toxic.PacketFaults;
import io.chaosproxy.toxic.Toxic;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packet engine: NFQUEUE over netlink plus per-proxy iptables rules. Control segments of a proxy that has
 * packet toxics are queued to one receiving thread, which decides each one's fate (accept, drop, hold for a delay,
 * or answer with a reset) and logs it. Rules use {@code --queue-bypass}, so traffic flows if this process dies.
 */
public final class PacketEngine implements PacketFaults {
    private static final System.Logger LOG = System.getLogger(PacketEngine.class.getName());
    /** The first NFQUEUE number tried; a number taken by another program answers EPERM, so the next is tried. */
    public static final int FIRST_QUEUE = 17_000;
    private static final int QUEUE_TRIES = 32;
    private static final int COPY_RANGE = 128;
    private static final int LOG_CAPACITY = 10_000;

    private final Instance instance = Instance.current();
    private final Iptables iptables;
    private final NfQueue queue;
    private final PacketMetrics metrics;
    private final Thread receiver;
    private final ScheduledExecutorService delays;
    private final Map<String, ProxyPackets> proxies = new ConcurrentHashMap<>();
    private final Map<String, SegmentLog> logs = new ConcurrentHashMap<>();
    private final Map<String, Map<ProxyPackets.FlowKey, ProxyPackets.Flow>> flowTables = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> attemptCounters = new ConcurrentHashMap<>();
    /** Packets held for a delay, so close() can let them go rather than leave them to the kernel's flush (a drop). */
    private final Map<Integer, ScheduledFuture<?>> held = new ConcurrentHashMap<>();
    private volatile ProxyPackets[] active = new ProxyPackets[0];
    private volatile boolean closed;

    private PacketEngine(Iptables iptables, NfQueue queue, PacketMetrics metrics) {
        this.iptables = iptables;
        this.queue = queue;
        this.metrics = metrics;
        this.delays = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chaos-packet-delays");
            t.setDaemon(true);
            return t;
        });
        this.receiver = new Thread(() -> queue.receive(this::onPacket), "chaos-packet-nfqueue");
        receiver.setDaemon(true);
    }

    /** A working packet engine, or one that says exactly why packet toxics cannot run here. */
    public static PacketFaults start(MeterRegistry meters) {
        return start(meters, FIRST_QUEUE);
    }

    public static PacketFaults start(MeterRegistry meters, int firstQueue) {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return PacketFaults.unavailable("packet toxics need Linux (NFQUEUE); this is " + os);
        }
        String capability = missingCapability();
        if (capability != null) {
            return PacketFaults.unavailable(capability);
        }
        Iptables iptables = Iptables.find();
        if (iptables == null) {
            return PacketFaults.unavailable("no iptables binary found (looked in /usr/sbin, /sbin and PATH)");
        }
        try {
            iptables.run(4, List.of("-S"));
        } catch (Iptables.Failure e) {
            return PacketFaults.unavailable("iptables does not work here: " + e.getMessage());
        }
        NfQueue queue;
        try {
            queue = NfQueue.open(firstQueue, QUEUE_TRIES, COPY_RANGE);
        } catch (NfQueue.OpenException e) {
            return PacketFaults.unavailable("cannot bind an NFQUEUE (tried " + firstQueue + ".."
                    + (firstQueue + QUEUE_TRIES - 1) + "): " + e.getMessage());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return PacketFaults.unavailable("cannot call libc through JNA: " + e);
        }
        String probe = probeRules(iptables, queue.queueNumber());
        if (probe != null) {
            queue.close();
            return PacketFaults.unavailable(probe);
        }
        iptables.removeStale(4);
        iptables.removeStale(6);
        PacketEngine engine = new PacketEngine(iptables, queue, new PacketMetrics(meters));
        engine.receiver.start();
        return engine;
    }

    /** Null when this process has CAP_NET_ADMIN, else why not. */
    private static String missingCapability() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << 12)) != 0 ? null
                            : "packet toxics need CAP_NET_ADMIN (run as root, or grant it with setcap or "
                                    + "--cap-add=NET_ADMIN)";
                }
            }
        } catch (IOException | RuntimeException e) {
            return "cannot read capabilities from /proc/self/status: " + e.getMessage();
        }
        return "cannot read capabilities from /proc/self/status";
    }

    /** Installs and removes a chain with every kind of rule we use, so a missing match or target shows up now. */
    private static String probeRules(Iptables iptables, int queueNumber) {
        Instance instance = Instance.current();
        RulePlan plan = new RulePlan(Iptables.CHAIN_PREFIX + instance.id() + "-probe",
                RulePlan.comment(instance, "probe"), Map.of());
        try {
            iptables.tryRun(4, List.of("-F", plan.chain()));
            iptables.tryRun(4, List.of("-X", plan.chain()));
            iptables.run(4, List.of("-N", plan.chain()));
            for (List<String> rule : plan.chainRules(queueNumber)) {
                iptables.run(4, rule);
            }
            // The server leg's rules: a socket mark copied to the connection's mark, and a match on it.
            iptables.run(4, List.of("-A", plan.chain(), "-p", "tcp", "-m", "mark", "--mark", instance.markText(),
                    "-j", "CONNMARK", "--set-xmark", instance.markText()));
            iptables.run(4, List.of("-A", plan.chain(), "-p", "tcp", "-m", "connmark", "--mark",
                    instance.markText(), "-j", "RETURN"));
            return null;
        } catch (Iptables.Failure e) {
            return "iptables cannot install the packet engine's rules (NFQUEUE, connbytes, mark, connmark, REJECT): "
                    + e.getMessage();
        } finally {
            iptables.tryRun(4, List.of("-F", plan.chain()));
            iptables.tryRun(4, List.of("-X", plan.chain()));
        }
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    /** The proxy's dialled sockets carry this instance's mark, so server-leg rules match only them. */
    @Override
    public int socketMark() {
        return instance.socketMark();
    }

    /** The NFQUEUE number in use. */
    public int queueNumber() {
        return queue.queueNumber();
    }

    @Override
    public synchronized void apply(String proxyName, InetSocketAddress listen, HostPort upstream,
            List<Toxic> packetToxics) {
        if (closed) {
            return;
        }
        ProxyPackets old = proxies.get(proxyName);
        List<ProxyPackets.ArmedFault> faults = new ArrayList<>();
        for (Toxic t : packetToxics) {
            if (t.type() instanceof PacketToxicType type) {
                faults.add(new ProxyPackets.ArmedFault(t, type.fault(t.attributes(), t.stream()),
                        attemptCounters.computeIfAbsent(proxyName + "/" + t.name(), k -> new AtomicLong())));
            }
        }
        if (faults.isEmpty()) {
            if (old != null) {
                proxies.remove(proxyName);
                publish();
                removeRules(old.rules);
            }
            flowTables.remove(proxyName);
            attemptCounters.keySet().removeIf(k -> k.startsWith(proxyName + "/"));
            return;
        }
        Set<InetAddress> upstreamAddresses = resolve(upstream);
        boolean clientLeg = faults.stream().anyMatch(f -> f.fault().leg() == Leg.CLIENT);
        boolean serverLeg = faults.stream().anyMatch(f -> f.fault().leg() == Leg.SERVER);
        RulePlan plan = RulePlan.of(instance, proxyName, listen, new ArrayList<>(upstreamAddresses),
                upstream == null ? 0 : upstream.port(), clientLeg, serverLeg, iptables.hasIpv6());
        ProxyPackets now = new ProxyPackets(proxyName, listen, upstreamAddresses,
                upstream == null ? 0 : upstream.port(), List.copyOf(faults), plan,
                logs.computeIfAbsent(proxyName, n -> new SegmentLog(LOG_CAPACITY)),
                flowTables.computeIfAbsent(proxyName, n -> ProxyPackets.newFlowTable()));
        boolean sameRules = old != null && Objects.equals(old.rules, plan);
        proxies.put(proxyName, now);
        publish();
        if (!sameRules) {
            if (old != null) {
                removeRules(old.rules);
            }
            installRules(plan);
        }
    }

    private static Set<InetAddress> resolve(HostPort upstream) {
        if (upstream == null) {
            return Set.of();
        }
        try {
            return new LinkedHashSet<>(List.of(InetAddress.getAllByName(upstream.host())));
        } catch (UnknownHostException e) {
            LOG.log(System.Logger.Level.WARNING, "packet engine: cannot resolve upstream " + upstream
                    + "; server-leg packet toxics will not act until it resolves");
            return Set.of();
        }
    }

    private void publish() {
        active = proxies.values().toArray(new ProxyPackets[0]);
    }

    private void installRules(RulePlan plan) {
        for (Map.Entry<Integer, List<List<String>>> e : plan.jumps().entrySet()) {
            int family = e.getKey();
            try {
                iptables.removeChains(family, plan.chain(), plan.comment());
                iptables.run(family, List.of("-N", plan.chain()));
                for (List<String> rule : plan.chainRules(queue.queueNumber())) {
                    iptables.run(family, rule);
                }
                for (List<String> jump : e.getValue()) {
                    List<String> insert = new ArrayList<>();
                    insert.add("-I");
                    insert.add(jump.get(0));
                    insert.add("1");
                    insert.addAll(jump.subList(1, jump.size()));
                    iptables.run(family, insert);
                }
            } catch (Iptables.Failure failure) {
                LOG.log(System.Logger.Level.ERROR, "packet engine: installing rules failed: " + failure.getMessage());
                iptables.removeChains(family, plan.chain(), plan.comment());
                throw new IllegalStateException("installing packet rules failed: " + failure.getMessage(), failure);
            }
        }
    }

    private void removeRules(RulePlan plan) {
        for (int family : plan.jumps().keySet()) {
            try {
                iptables.removeChains(family, plan.chain(), plan.comment());
            } catch (Iptables.Failure failure) {
                LOG.log(System.Logger.Level.ERROR, "packet engine: removing rules failed: " + failure.getMessage());
            }
        }
    }

    // ---- the receiving thread ----

    private void onPacket(int packetId, int hook, byte[] packet, int originalLength) {
        try {
            decide(packetId, hook, packet, originalLength);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "packet engine: accepting a packet after an error", e);
            queue.verdict(packetId, NfQueue.NF_ACCEPT, null);
        }
    }

    private void decide(int packetId, int hook, byte[] packet, int originalLength) {
        Segment s = Segment.parse(packet, originalLength);
        if (s == null) {
            queue.verdict(packetId, NfQueue.NF_ACCEPT, null);
            return;
        }
        ProxyPackets proxy = null;
        Leg leg = null;
        Boolean fromConnector = null;
        for (ProxyPackets p : active) {
            for (Leg l : Leg.values()) {
                fromConnector = p.fromConnector(s, hook, l);
                if (fromConnector != null) {
                    proxy = p;
                    leg = l;
                    break;
                }
            }
            if (proxy != null) {
                break;
            }
        }
        if (proxy == null) {
            queue.verdict(packetId, NfQueue.NF_ACCEPT, null);
            return;
        }
        long now = System.nanoTime();
        long[] relative = new long[2];
        ProxyPackets.Outcome outcome = proxy.decide(leg, fromConnector, s, now, metrics, relative);
        switch (outcome.verdict()) {
            case ACCEPT -> queue.verdict(packetId, NfQueue.NF_ACCEPT, null);
            case DROP -> queue.verdict(packetId, NfQueue.NF_DROP, null);
            case REJECT -> queue.verdict(packetId, NfQueue.NF_REPEAT, RulePlan.REJECT_MARK);
            case DELAY -> hold(packetId, outcome.releaseAtNanos() - now);
            default -> throw new IllegalStateException();
        }
        metrics.segment(proxy.name, leg.label(), s.kind(), outcome.verdict().label());
        String direction = leg == Leg.CLIENT ? (fromConnector ? "client>proxy" : "proxy>client")
                : (fromConnector ? "proxy>server" : "server>proxy");
        long micros = System.currentTimeMillis() * 1000 + (now / 1000) % 1000;
        proxy.log.add(new SegmentRecord(micros, leg.label(), direction, s.flagText(), relative[0], relative[1],
                s.window(), s.payloadLength(), s.options().toString(), outcome.verdict().label(), packet,
                originalLength));
    }

    private void hold(int packetId, long nanos) {
        ScheduledFuture<?> f = delays.schedule(() -> {
            if (held.remove(packetId) != null) {
                queue.verdict(packetId, NfQueue.NF_ACCEPT, null);
            }
        }, nanos, TimeUnit.NANOSECONDS);
        held.put(packetId, f);
    }

    // ---- the segment log ----

    /** The last segments seen for a proxy (oldest first); empty when it never had packet toxics. */
    @Override
    public List<SegmentRecord> segments(String proxyName) {
        SegmentLog log = logs.get(proxyName);
        return log == null ? List.of() : log.snapshot();
    }

    /**
     * The segments of one connection: on the client leg those to or from the client's port, on the server leg
     * those to or from the proxy's own port towards the upstream.
     */
    @Override
    public List<SegmentRecord> segments(String proxyName, int clientPort, int serverLocalPort) {
        List<SegmentRecord> out = new java.util.ArrayList<>();
        for (SegmentRecord r : segments(proxyName)) {
            Segment s = Segment.parse(r.packet(), r.originalLength());
            if (s == null) {
                continue;
            }
            int port = r.leg().equals("client") ? clientPort : serverLocalPort;
            if (port != 0 && (s.srcPort() == port || s.dstPort() == port)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Writes a proxy's segment log as a pcap file (LINKTYPE_RAW, headers only: 128 bytes per packet). */
    @Override
    public void writePcap(String proxyName, OutputStream out) throws IOException {
        SegmentLog.writePcap(segments(proxyName), out);
    }

    /** Forgets a deleted proxy's segment log. */
    @Override
    public void forget(String proxyName) {
        logs.remove(proxyName);
        metrics.forget(proxyName);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ProxyPackets p : proxies.values()) {
            removeRules(p.rules);
        }
        proxies.clear();
        publish();
        delays.shutdownNow();
        for (Integer id : held.keySet()) {
            if (held.remove(id) != null) {
                queue.verdict(id, NfQueue.NF_ACCEPT, null);
            }
        }
        queue.stopReceiving();
        try {
            receiver.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
    }
}
