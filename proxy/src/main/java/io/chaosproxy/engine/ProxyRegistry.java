package io.chaosproxy.engine;

import io.chaosproxy.metrics.ProxyMetrics;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.Names;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.Schedule;
import io.chaosproxy.toxic.Selector;
import io.chaosproxy.model.Direction;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicEngine;
import io.chaosproxy.toxic.ToxicType;
import io.chaosproxy.model.ValidationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The named proxies and their toxics. Every change validates everything first and then changes state, so a failed
 * request changes nothing. Changes are serialized by this object's lock; they may block briefly on a bind, so call
 * them from a control thread, never from an event loop.
 */
public final class ProxyRegistry implements AutoCloseable {
    private final ProxyEngine engine;
    private final ConcurrentMap<String, Proxy> proxies = new ConcurrentHashMap<>();
    /** Arms and expires scheduled toxics; its tasks only take this registry's lock, never block. */
    private final ScheduledExecutorService schedules = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("chaos-schedule", true));

    public ProxyRegistry(ProxyEngine engine) {
        this.engine = engine;
        // One bounded schedule for every open connection's TCP_INFO sample, instead of a timer per connection.
        schedules.scheduleAtFixedRate(() -> {
            try {
                proxies.values().forEach(Proxy::sampleOpenConnections);
            } catch (RuntimeException shuttingDown) {
                // an event loop refused the task (shutdown); the next round tries again
            }
        }, TcpInfoSampler.INTERVAL_MILLIS, TcpInfoSampler.INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    public ProxyEngine engine() {
        return engine;
    }

    public List<Proxy> all() {
        List<Proxy> list = new ArrayList<>(proxies.values());
        list.sort(Comparator.comparing(Proxy::name));
        return list;
    }

    public Proxy get(String name) {
        Proxy p = proxies.get(name);
        if (p == null) {
            throw new ProxyException(ProxyException.Kind.NOT_FOUND, "proxy not found");
        }
        return p;
    }

    public synchronized Proxy create(ProxySpec spec) {
        requireName(spec.name());
        if (proxies.containsKey(spec.name())) {
            throw new ProxyException(ProxyException.Kind.CONFLICT, "proxy already exists");
        }
        Proxy proxy = new Proxy(engine, spec);
        if (spec.enabled()) {
            proxy.startListening();
        }
        proxies.put(spec.name(), proxy);
        return proxy;
    }

    /**
     * Changes listen, upstream and enabled; null leaves a field as it is. A failed bind leaves the proxy as it was.
     */
    public synchronized Proxy update(String name, HostPort listen, HostPort upstream, Boolean enabled) {
        Proxy proxy = get(name);
        boolean willBeEnabled = enabled == null ? proxy.enabled() : enabled;
        boolean moves = listen != null && !proxy.listensOn(listen);
        // The one step that can fail (a bind) comes first, so a failure leaves the proxy exactly as it was.
        if (willBeEnabled && proxy.enabled() && moves) {
            proxy.changeListen(listen);
        } else if (willBeEnabled && !proxy.enabled()) {
            proxy.enableAt(moves ? listen : null);
        } else if (!willBeEnabled) {
            proxy.disable();
            if (moves) {
                proxy.changeListen(listen);
            }
        }
        if (upstream != null) {
            proxy.changeUpstream(upstream);
        }
        toxicsChanged(proxy, false);
        return proxy;
    }

    public synchronized void delete(String name) {
        Proxy proxy = get(name);
        proxy.disable();
        proxies.remove(name);
        toxicsChanged(proxy, true);
        // disable() waited for its connections to close (their last events are counted by then): now its series go.
        engine.packetFaults().forget(name);
        engine.metrics().forget(name);
    }

    /**
     * Creates or replaces many proxies at once, as Toxiproxy's {@code /populate} and config files do. A proxy with
     * the same name, listen and upstream is kept untouched, with its toxics and connections. New listeners are bound
     * before any running proxy is touched, so a failed bind changes nothing.
     */
    public synchronized List<Proxy> populate(List<ProxySpec> specs, Map<String, List<ToxicRequest>> toxicsByProxy) {
        Map<String, ProxySpec> unique = new LinkedHashMap<>();
        for (ProxySpec s : specs) {
            requireName(s.name());
            unique.put(s.name(), s);
        }
        // Validate every toxic before touching anything.
        Map<String, List<Toxic>> toxics = new LinkedHashMap<>();
        for (Map.Entry<String, List<ToxicRequest>> e : toxicsByProxy.entrySet()) {
            List<Toxic> built = new ArrayList<>();
            for (ToxicRequest r : e.getValue()) {
                Toxic t = build(r);
                requirePacketEngineFor(t);
                if (built.stream().anyMatch(b -> b.name().equals(t.name()))) {
                    throw new ValidationException("toxics", "toxic " + t.name() + " appears twice in proxy "
                            + e.getKey());
                }
                built.add(t);
            }
            toxics.put(e.getKey(), built);
        }
        // Bind every new listener while nothing else has changed yet: a bind that fails (a busy port) then leaves
        // the existing proxies, their open connections and their gauges exactly as they were.
        Map<String, Proxy> started = new LinkedHashMap<>();
        List<ProxySpec> sameAddressReplacements = new ArrayList<>();
        List<Proxy> result = new ArrayList<>();
        try {
            for (ProxySpec spec : unique.values()) {
                Proxy existing = proxies.get(spec.name());
                if (existing != null && existing.listensOn(spec.listen())
                        && existing.upstreamAddress().equals(spec.upstream())) {
                    continue;
                }
                if (existing != null && spec.enabled() && holdsPort(existing, spec.listen())) {
                    sameAddressReplacements.add(spec); // its port frees only when the old proxy stops
                    continue;
                }
                Proxy created = new Proxy(engine, spec);
                if (spec.enabled()) {
                    created.startListening();
                }
                started.put(spec.name(), created);
            }
            // Last, the replacements that need their predecessor's port: only these touch a running proxy first.
            for (ProxySpec spec : sameAddressReplacements) {
                started.put(spec.name(), replaceInPlace(proxies.get(spec.name()), spec));
            }
        } catch (RuntimeException e) {
            for (Map.Entry<String, Proxy> s : started.entrySet()) {
                s.getValue().disable();
                if (sameAddressReplacements.stream().anyMatch(r -> r.name().equals(s.getKey()))) {
                    reviveQuietly(proxies.get(s.getKey()));
                }
            }
            throw e;
        }
        for (ProxySpec spec : unique.values()) {
            Proxy existing = proxies.get(spec.name());
            Proxy created = started.get(spec.name());
            if (created == null) {
                result.add(existing);
                continue;
            }
            if (existing != null) {
                existing.disable();
                toxicsChanged(existing, true);
            }
            proxies.put(spec.name(), created);
            result.add(created);
        }
        for (Map.Entry<String, List<Toxic>> e : toxics.entrySet()) {
            Proxy p = proxies.get(e.getKey());
            if (p != null) {
                applyToxics(p, e.getValue(), c -> e.getValue().forEach(c::toxicArmed));
                e.getValue().forEach(t -> scheduleLifecycle(e.getKey(), t));
            }
        }
        return result;
    }

    /** Whether a proxy is bound to the port {@code wanted} asks for, so a replacement cannot bind beside it. */
    private static boolean holdsPort(Proxy existing, HostPort wanted) {
        return existing.boundAddress() != null && wanted.port() != 0
                && existing.boundAddress().getPort() == wanted.port();
    }

    /**
     * Replaces a proxy by one on the same port: the old one must stop first. Should the port be taken in between (by
     * another process), the old proxy listens again and the error is reported.
     */
    private static Proxy replaceInPlace(Proxy existing, ProxySpec spec) {
        existing.disable();
        Proxy created = new Proxy(existing.engine(), spec);
        try {
            created.startListening();
        } catch (RuntimeException e) {
            reviveQuietly(existing);
            throw e;
        }
        return created;
    }

    /** Undoing a replacement: the old proxy listens again (its connections are gone: they could not be kept). */
    private static void reviveQuietly(Proxy old) {
        try {
            old.enable();
        } catch (RuntimeException portTakenMeanwhile) {
            // the original failure is what the user needs to see
        }
    }

    /** Every proxy enabled, every toxic removed; proxies kept. */
    public synchronized void reset() {
        for (Proxy p : all()) {
            removeAllToxics(p);
            if (!p.enabled()) {
                try {
                    p.enable();
                    toxicsChanged(p, false);
                } catch (ProxyException e) {
                    // Its address was taken meanwhile; it stays disabled, the others are reset.
                }
            }
        }
    }

    // ---- toxics ----

    public List<Toxic> toxics(String proxyName) {
        return get(proxyName).toxicsSnapshot();
    }

    public Toxic toxic(String proxyName, String toxicName) {
        return findToxic(get(proxyName), toxicName)
                .orElseThrow(() -> new ProxyException(ProxyException.Kind.NOT_FOUND, "toxic not found"));
    }

    public synchronized Toxic addToxic(String proxyName, ToxicRequest request) {
        Proxy proxy = get(proxyName);
        Toxic toxic = build(request);
        if (findToxic(proxy, toxic.name()).isPresent()) {
            throw new ProxyException(ProxyException.Kind.CONFLICT, "toxic already exists");
        }
        requirePacketEngineFor(toxic);
        List<Toxic> before = proxy.toxicsSnapshot();
        List<Toxic> list = new ArrayList<>(before);
        list.add(toxic);
        try {
            applyToxics(proxy, list, c -> c.toxicArmed(toxic));
        } catch (IllegalStateException packetRulesFailed) {
            // Nothing half-applied: the toxic goes away again and the user learns why.
            applyToxics(proxy, before, c -> c.detach(toxic));
            throw new ProxyException(ProxyException.Kind.UNAVAILABLE, "toxic " + toxic.name()
                    + " could not be installed: " + packetRulesFailed.getMessage());
        }
        scheduleLifecycle(proxyName, toxic);
        return toxic;
    }

    /** Arms a scheduled toxic after its delay and removes it after its duration. */
    private void scheduleLifecycle(String proxyName, Toxic toxic) {
        Schedule schedule = toxic.schedule();
        if (schedule == null) {
            return;
        }
        if (!toxic.armed()) {
            schedules.schedule(() -> arm(proxyName, toxic), schedule.startAfterMs(), TimeUnit.MILLISECONDS);
        }
        if (schedule.durationMs() > 0) {
            schedules.schedule(() -> expire(proxyName, toxic), schedule.startAfterMs() + schedule.durationMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void arm(String proxyName, Toxic scheduled) {
        Proxy proxy = proxies.get(proxyName);
        Toxic current = proxy == null ? null : sameToxic(proxy, scheduled);
        if (current == null || current.armed()) {
            return;
        }
        Toxic armed = current.withArmed(true);
        List<Toxic> list = new ArrayList<>(proxy.toxicsSnapshot());
        list.set(list.indexOf(current), armed);
        applyToxics(proxy, list, c -> c.toxicArmed(armed));
    }

    private synchronized void expire(String proxyName, Toxic scheduled) {
        Proxy proxy = proxies.get(proxyName);
        Toxic current = proxy == null ? null : sameToxic(proxy, scheduled);
        if (current != null) {
            removeToxic(proxyName, current.name());
        }
    }

    /** The toxic as it is now, if it is still the one that was scheduled (not removed and re-added meanwhile). */
    private static Toxic sameToxic(Proxy proxy, Toxic scheduled) {
        return proxy.toxicsSnapshot().stream()
                .filter(t -> t.connectionsSeen() == scheduled.connectionsSeen()).findFirst().orElse(null);
    }

    public synchronized Toxic updateToxic(String proxyName, String toxicName, Double toxicity,
            Map<String, Object> attributes) {
        Proxy proxy = get(proxyName);
        Toxic old = toxic(proxyName, toxicName);
        double newToxicity = toxicity == null ? old.toxicity() : checkToxicity(toxicity);
        Attributes merged = old.type().schema().merge(old.attributes(), attributes);
        Toxic updated = old.withSettings(newToxicity, merged);
        List<Toxic> list = new ArrayList<>(proxy.toxicsSnapshot());
        list.set(list.indexOf(old), updated);
        applyToxics(proxy, list, c -> c.replace(updated));
        return updated;
    }

    public synchronized void removeToxic(String proxyName, String toxicName) {
        Proxy proxy = get(proxyName);
        Toxic old = toxic(proxyName, toxicName);
        List<Toxic> list = new ArrayList<>(proxy.toxicsSnapshot());
        list.remove(old);
        applyToxics(proxy, list, c -> c.detach(old));
    }

    private void removeAllToxics(Proxy proxy) {
        List<Toxic> old = proxy.toxicsSnapshot();
        if (!old.isEmpty()) {
            applyToxics(proxy, List.of(), c -> old.forEach(c::detach));
        }
    }

    /** Gives a proxy its new toxic list (open connections included), then updates gauges and packet rules. */
    private void applyToxics(Proxy proxy, List<Toxic> toxics, java.util.function.Consumer<Connection> onOpen) {
        proxy.setToxics(toxics, onOpen);
        toxicsChanged(proxy, false);
    }

    /**
     * After any change to a proxy or its toxics: the active-toxics gauges follow, and the packet engine is told
     * which packet toxics this proxy has now (none while disabled or deleted).
     */
    private void toxicsChanged(Proxy proxy, boolean deleted) {
        engine.metrics().toxicsChanged(proxy.name(), deleted ? List.of() : proxy.toxicsSnapshot().stream()
                .map(t -> new ProxyMetrics.ActiveToxic(t.name(), t.type().name(), t.armed())).toList());
        List<Toxic> packet = deleted || !proxy.enabled() ? List.of() : proxy.toxicsSnapshot().stream()
                .filter(t -> t.armed() && t.type().engine() == ToxicEngine.PACKET).toList();
        engine.packetFaults().apply(proxy.name(), proxy.boundAddress(), proxy.upstreamAddress(), packet);
    }

    private void requirePacketEngineFor(Toxic toxic) {
        if (toxic.type().engine() == ToxicEngine.PACKET) {
            String why = engine.packetFaults().unavailableReason();
            if (why != null) {
                throw new ProxyException(ProxyException.Kind.UNAVAILABLE, "toxic type " + toxic.type().name()
                        + " needs the packet engine, which is unavailable here: " + why);
            }
        }
    }

    private static Optional<Toxic> findToxic(Proxy proxy, String name) {
        return proxy.toxicsSnapshot().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Validates a request against the type's schema and fills in Toxiproxy's defaults. */
    public Toxic build(ToxicRequest request) {
        if (request.type() == null || request.type().isBlank()) {
            throw new ValidationException("type", "missing required field: type");
        }
        ToxicType type = engine.toxicTypes().find(request.type())
                .orElseThrow(() -> new ValidationException("type", "invalid toxic type: " + request.type()
                        + " (known: " + String.join(", ", engine.toxicTypes().all().stream()
                                .map(ToxicType::name).toList()) + ")"));
        Direction stream = request.stream() == null || request.stream().isEmpty() ? Direction.DOWNSTREAM
                : Direction.parse(request.stream()).orElseThrow(() -> new ValidationException("stream",
                        "invalid stream direction: stream must be upstream or downstream, got \""
                                + request.stream() + "\""));
        double toxicity = request.toxicity() == null ? 1.0 : checkToxicity(request.toxicity());
        Attributes attributes = type.schema().merge(type.schema().defaults(), request.attributes());
        String name = request.name() == null || request.name().isEmpty()
                ? type.name() + "_" + stream.jsonName() : Names.check("name", request.name());
        Selector selector = Selector.parse(request.selector());
        if (selector != null && selector.sni() != null && !(type instanceof io.chaosproxy.toxic.TlsToxicType)) {
            throw new ValidationException("selector.sni", "selector.sni needs a TLS toxic (phase tls): only they "
                    + "see the ClientHello's server name; " + type.name() + " acts in phase " + type.phase().jsonName());
        }
        Schedule schedule = Schedule.parse(request.schedule());
        boolean armed = schedule == null || schedule.startAfterMs() == 0;
        return new Toxic(name, type, stream, toxicity, attributes, selector, schedule, request.seed(), armed,
                new AtomicLong(), new AtomicLong());
    }

    private static double checkToxicity(double toxicity) {
        if (!(toxicity >= 0 && toxicity <= 1)) {
            throw new ValidationException("toxicity", "toxicity must be between 0 and 1, got " + toxicity);
        }
        return toxicity;
    }

    private static void requireName(String name) {
        Names.check("name", name);
    }

    @Override
    public synchronized void close() {
        schedules.shutdownNow();
        for (Proxy p : all()) {
            p.disable();
            toxicsChanged(p, true);
        }
        proxies.clear();
    }
}
