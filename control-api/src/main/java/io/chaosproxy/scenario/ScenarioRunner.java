package io.chaosproxy.scenario;

import io.chaosproxy.model.HostPort;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.model.EventListener;
import io.chaosproxy.model.EventType;
import io.chaosproxy.toxic.PacketFaults;
import io.chaosproxy.model.SegmentRecord;
import io.chaosproxy.scenario.ScenarioRecord.CheckResult;
import io.chaosproxy.scenario.ScenarioRecord.ClientRecord;
import io.chaosproxy.scenario.ScenarioRecord.ConnectionView;
import io.chaosproxy.scenario.ScenarioRecord.EventView;
import io.chaosproxy.scenario.ScenarioRecord.Retransmissions;
import io.chaosproxy.scenario.ScenarioRecord.SegmentView;
import io.chaosproxy.scenario.ScenarioRecord.ServerRecord;
import io.chaosproxy.scenario.ScenarioRecord.SocketSnapshot;
import io.chaosproxy.scenario.ScenarioRecord.Step;
import io.chaosproxy.timeline.ConnectionSummary;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs one {@link CatalogueEntry}: starts its server (or a failing upstream), creates a proxy of its own with the
 * one toxic, runs the client, then gathers the evidence (socket states, the proxy's timeline, the segment log,
 * retransmission counts), removes the proxy and stops the server. Runs are sequential per caller; each proxy has a
 * unique name, so runs never share a timeline or a segment log.
 */
final class ScenarioRunner {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long SETTLE_MS = 1500;

    private ScenarioRunner() {
    }

    static ScenarioRecord run(CatalogueEntry s, ScenarioEnvironment env) {
        String startedAt = Instant.now().toString();
        int engineTimeout = env.engineConnectTimeoutMillis();
        int readTimeout = s.readTimeoutMs().applyAsInt(engineTimeout);
        Map<String, Object> settings = settings(s, env, readTimeout);
        if (s.needsPacketEngine() && env.packetUnavailableReason() != null) {
            return new ScenarioRecord(s.name(), s.stage().jsonName(), s.fault(), true, ScenarioRecord.UNAVAILABLE,
                    "needs the packet engine, which is unavailable here: " + env.packetUnavailableReason(),
                    s.expected(), s.explanation(), startedAt, 0, settings, null, null, List.of(), List.of(),
                    List.of(), null, List.of());
        }
        try {
            if (s.stage() == Stage.TLS) {
                ScenarioTls.prepare(); // the certificate (keytool, ~1 to 3 s once) is made before the clock starts
            }
            return new ScenarioRunner.Run(s, env, settings, readTimeout, startedAt).execute();
        } catch (Exception e) {
            return new ScenarioRecord(s.name(), s.stage().jsonName(), s.fault(), s.needsPacketEngine(),
                    ScenarioRecord.ERROR, "could not run: " + StepLog.describe(e), s.expected(), s.explanation(),
                    startedAt, 0, settings, null, null, List.of(), List.of(), List.of(), null, List.of());
        }
    }

    private static Map<String, Object> settings(CatalogueEntry s, ScenarioEnvironment env, int readTimeout) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s.toxic() != null) {
            Map<String, Object> toxic = new LinkedHashMap<>();
            toxic.put("type", s.toxic().type());
            toxic.put("stream", s.toxic().stream());
            toxic.put("attributes", s.toxic().attributes());
            m.put("toxic", toxic);
        }
        m.put("upstream", s.upstream().name().toLowerCase(java.util.Locale.ROOT));
        if (env.clientCommand() == null) {
            m.put("client_connect_timeout_ms", s.connectTimeoutMs());
            m.put("client_read_timeout_ms", readTimeout);
        } else {
            m.put("client_command", env.clientCommand());
        }
        m.put("server_read_timeout_ms", ScenarioServer.READ_TIMEOUT_MS);
        m.put("engine_connect_timeout_ms", env.engineConnectTimeoutMillis());
        m.put("kernel", kernelSettings());
        return m;
    }

    /** The kernel settings that decide handshake and teardown timings, as this network namespace has them. */
    static Map<String, String> kernelSettings() {
        Map<String, String> k = new LinkedHashMap<>();
        for (String name : List.of("tcp_syn_retries", "tcp_synack_retries", "tcp_syn_linear_timeouts",
                "tcp_fin_timeout", "tcp_retries2")) {
            String v = SocketStates.sysctl("net/ipv4/" + name);
            if (v != null) {
                k.put(name, v);
            }
        }
        return k;
    }

    /** The state of one run, from setup to cleanup. */
    private static final class Run {
        private final CatalogueEntry s;
        private final ScenarioEnvironment env;
        private final ProxyRegistry registry;
        private final Map<String, Object> settings;
        private final int readTimeout;
        private final String startedAt;
        private final RunClock clock = new RunClock();
        private final StepLog clientLog = new StepLog(clock, "client");
        private final StepLog serverLog = new StepLog(clock, "server");
        private final List<SocketSnapshot> snapshots = new CopyOnWriteArrayList<>();
        private final Map<Long, Long> acceptNanos = new ConcurrentHashMap<>();
        private ScenarioServer server;
        private Upstreams.Blackhole blackhole;
        private Proxy proxy;
        private int upstreamPort;

        Run(CatalogueEntry s, ScenarioEnvironment env, Map<String, Object> settings, int readTimeout,
                String startedAt) {
            this.s = s;
            this.env = env;
            this.registry = env.registry();
            this.settings = settings;
            this.readTimeout = readTimeout;
            this.startedAt = startedAt;
        }

        ScenarioRecord execute() throws IOException {
            String proxyName = "scenario-" + s.name() + "-" + RUNS.incrementAndGet();
            EventListener listener = e -> {
                if (e.proxy().equals(proxyName) && e.type() == EventType.ACCEPTED) {
                    acceptNanos.putIfAbsent(e.connectionId(), System.nanoTime());
                }
            };
            registry.engine().events().subscribe(listener);
            try {
                startUpstream();
                proxy = registry.create(new ProxySpec(proxyName, HostPort.parse("listen", "127.0.0.1:0", true),
                        HostPort.parse("upstream", "127.0.0.1:" + upstreamPort, false), true));
                if (s.toxic() != null) {
                    registry.addToxic(proxyName, s.toxic());
                }
                Long retransBefore = SocketStates.retransSegs();
                ClientRecord client = runClient();
                settle();
                snapshot("after the client closed (and " + SETTLE_MS / 1000.0 + " s at most for the rest)");
                List<ConnectionView> connections = connections();
                List<SegmentView> segments = segments(proxyName);
                Long retransAfter = SocketStates.retransSegs();
                registry.delete(proxyName);
                proxy = null;
                stopUpstream();
                ServerRecord serverRecord = serverRecord();
                Retransmissions retrans = new Retransmissions(
                        registry.engine().packetFaults().available()
                                ? (int) segments.stream().filter(SegmentView::retransmission).count() : null,
                        retransBefore == null || retransAfter == null ? null : retransAfter - retransBefore,
                        "by_segments: control segments seen twice in the packet engine's log; retrans_segs_delta: "
                                + "the kernel's RetransSegs during the run, every socket of this network namespace");
                ScenarioRecord draft = new ScenarioRecord(s.name(), s.stage().jsonName(), s.fault(),
                        s.needsPacketEngine(), null, null, s.expected(), s.explanation(), startedAt,
                        client.totalMillis(), settings, client, serverRecord, List.copyOf(snapshots), connections,
                        segments, retrans, List.of());
                return judge(draft);
            } finally {
                registry.engine().events().unsubscribe(listener);
                if (proxy != null) {
                    try {
                        registry.delete(proxyName);
                    } catch (RuntimeException ignored) {
                        // already gone
                    }
                }
                registry.engine().packetFaults().forget(proxyName);
                stopUpstream();
            }
        }

        private void startUpstream() throws IOException {
            switch (s.upstream()) {
                case SERVER -> {
                    server = new ScenarioServer(s.server(), serverLog);
                    upstreamPort = server.port();
                }
                case CLOSED_PORT -> upstreamPort = Upstreams.closedPort();
                case BLACKHOLE -> {
                    blackhole = new Upstreams.Blackhole();
                    upstreamPort = blackhole.port();
                }
                default -> throw new IllegalStateException(s.upstream().name());
            }
        }

        private void stopUpstream() {
            if (server != null) {
                server.close();
            }
            if (blackhole != null) {
                blackhole.close();
            }
        }

        private ClientRecord runClient() {
            int port = proxy.boundAddress().getPort();
            Thread scheduled = null;
            clock.start();
            if (s.snapshotAtMillis() > 0) {
                scheduled = new Thread(() -> {
                    try {
                        Thread.sleep(s.snapshotAtMillis());
                        snapshot("at " + s.snapshotAtMillis() + " ms");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "scenario-snapshot");
                scheduled.setDaemon(true);
                scheduled.start();
            }
            ClientRecord record;
            if (env.clientCommand() != null) {
                record = ExternalClient.run(env.clientCommand(), "127.0.0.1", port, env.clientCommandTimeoutMillis(),
                        clientLog, () -> snapshot("when the client's command ended"));
            } else {
                record = builtInClient(port);
            }
            if (scheduled != null) {
                scheduled.interrupt();
            }
            snapshots.sort(java.util.Comparator.comparingDouble(SocketSnapshot::tMillis));
            return record;
        }

        private ClientRecord builtInClient(int port) {
            ClientIo io = new ClientIo("127.0.0.1", port, s.connectTimeoutMs(), readTimeout, clientLog,
                    this::snapshot);
            try {
                s.client().run(io);
                if (io.outcome == null) {
                    io.ok("done");
                }
            } catch (IOException | RuntimeException e) {
                io.failed(e);
            }
            double total = io.outcomeMillis;
            io.close();
            clientLog.add("close()");
            Map<String, Object> timeouts = new LinkedHashMap<>();
            timeouts.put("connect_timeout_ms", s.connectTimeoutMs());
            timeouts.put("read_timeout_ms", readTimeout);
            return new ClientRecord("built-in", io.outcome, io.failure == null ? null
                    : io.failure.getClass().getSimpleName(), io.failure == null ? null : io.failure.getMessage(),
                    io.saw, io.connectMillis, ClientIo.round(total), io.sent, io.received, timeouts,
                    clientLog.steps(), null, null, null);
        }

        /** Waits (bounded) until the proxy has no open connection and the server's scripts are done. */
        private void settle() {
            long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
            while (System.nanoTime() < deadline && proxy.openConnections() > 0) {
                sleep(20);
            }
            if (server != null) {
                server.awaitScripts(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            sleep(150); // the last FIN/RST segments and timeline events of the close
        }

        private void snapshot(String label) {
            if (proxy == null) {
                return;
            }
            double t = clock.sinceStart(System.nanoTime());
            snapshots.add(new SocketSnapshot(label, t, SocketStates.read(proxy.boundAddress().getPort(),
                    upstreamPort)));
        }

        private List<ConnectionView> connections() {
            List<ConnectionView> out = new ArrayList<>();
            for (ConnectionSummary c : proxy.connectionSummaries()) {
                Long accepted = acceptNanos.get(c.id());
                double offset = accepted != null ? clock.sinceStart(accepted)
                        : clock.fromEpochMicros(c.startEpochMillis() * 1000);
                List<EventView> events = new ArrayList<>();
                for (var e : c.events()) {
                    double since = Math.round(e.sinceAcceptNanos() / 10_000.0) / 100.0;
                    events.add(new EventView(ClientIo.round(offset + since), since, e.type().jsonName(),
                            e.leg() == null ? null : e.leg().label(),
                            e.detail()));
                }
                out.add(new ConnectionView(c.id(), c.client(), c.state(), c.closeReason(), c.bytesUpstream(),
                        c.bytesDownstream(), events));
            }
            return out;
        }

        private List<SegmentView> segments(String proxyName) {
            PacketFaults packets = registry.engine().packetFaults();
            if (!packets.available()) {
                return List.of();
            }
            List<SegmentView> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            double last = Double.NEGATIVE_INFINITY;
            for (SegmentRecord r : packets.segments(proxyName)) {
                // The log's order is the true order; its sub-millisecond digits are not, so times never go back.
                last = Math.max(last, clock.fromEpochMicros(r.epochMicros()));
                int[] ports = ports(r.packet());
                boolean carries = r.flags().contains("S") || r.flags().contains("F") || r.length() > 0;
                String key = r.direction() + "|" + ports[0] + "|" + ports[1] + "|" + r.flags() + "|" + r.seq() + "|"
                        + r.length();
                boolean again = carries && !seen.add(key);
                out.add(new SegmentView(last, r.leg(), r.direction(), ports[0],
                        ports[1], r.flags(), r.seq(), r.ack(), r.window(), r.length(), r.options(), r.verdict(),
                        again));
            }
            return out;
        }

        private ServerRecord serverRecord() {
            if (server == null) {
                String why = s.upstream() == CatalogueEntry.Upstream.CLOSED_PORT
                        ? "nothing: no program listens on the upstream port (its kernel answered the SYN with RST)"
                        : "nothing: the upstream's accept queue was full (its kernel dropped every SYN)";
                return new ServerRecord(0, why, List.of());
            }
            List<Step> steps = serverLog.steps();
            String saw = steps.isEmpty() ? "nothing: no connection arrived"
                    : String.join("; ", steps.stream().map(st -> ClientIo.fmt(st.tMillis()) + " ms " + st.what())
                            .toList());
            return new ServerRecord(server.accepted(), saw, steps);
        }

        private ScenarioRecord judge(ScenarioRecord r) {
            if (env.clientCommand() != null) {
                return withStatus(r, ScenarioRecord.RAN, "a user's own client ran: nothing to check", List.of());
            }
            List<CheckResult> results = new ArrayList<>();
            for (Checks.Check c : s.checks()) {
                try {
                    results.add(c.apply(r));
                } catch (RuntimeException e) {
                    results.add(new CheckResult("check failed to evaluate", false, StepLog.describe(e)));
                }
            }
            boolean all = results.stream().allMatch(CheckResult::held);
            return withStatus(r, all ? ScenarioRecord.AS_STATED : ScenarioRecord.DIFFERS,
                    all ? null : "not as stated: " + String.join("; ", results.stream().filter(c -> !c.held())
                            .map(c -> c.expectation() + " (observed: " + c.observed() + ")").toList()), results);
        }

        private static ScenarioRecord withStatus(ScenarioRecord r, String status, String reason,
                List<CheckResult> checks) {
            return new ScenarioRecord(r.name(), r.stage(), r.fault(), r.needsPacketEngine(), status, reason,
                    r.expected(), r.explanation(), r.startedAt(), r.durationMillis(), r.settings(), r.client(),
                    r.server(), r.sockets(), r.connections(), r.segments(), r.retransmissions(), checks);
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The TCP ports of a copied IPv4 or IPv6 packet (no IPv6 extension headers: ours carry none). */
    static int[] ports(byte[] packet) {
        if (packet == null || packet.length < 1) {
            return new int[] {0, 0};
        }
        int at = (packet[0] >> 4) == 6 ? 40 : (packet[0] & 0x0f) * 4;
        if (packet.length < at + 4) {
            return new int[] {0, 0};
        }
        return new int[] {((packet[at] & 0xff) << 8) | (packet[at + 1] & 0xff),
            ((packet[at + 2] & 0xff) << 8) | (packet[at + 3] & 0xff)};
    }
}
