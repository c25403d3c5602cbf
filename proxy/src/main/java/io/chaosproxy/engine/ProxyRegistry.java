package io.chaosproxy.engine;

import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.StreamDirection;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicType;
import io.chaosproxy.toxic.ValidationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The named proxies and their toxics. Every change validates everything first and then changes state, so a failed
 * request changes nothing. Changes are serialized by this object's lock; they may block briefly on a bind, so call
 * them from a control thread, never from an event loop.
 */
public final class ProxyRegistry implements AutoCloseable {
    private final ProxyEngine engine;
    private final ConcurrentMap<String, Proxy> proxies = new ConcurrentHashMap<>();

    public ProxyRegistry(ProxyEngine engine) {
        this.engine = engine;
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
        if (listen != null && !proxy.listensOn(listen)) {
            if (willBeEnabled && proxy.enabled()) {
                proxy.changeListen(listen);
            } else {
                // Rebinding happens below when enabling; remember where to listen.
                proxy.disable();
                proxy.changeListen(listen);
            }
        }
        if (enabled != null && enabled != proxy.enabled()) {
            if (enabled) {
                proxy.enable();
            } else {
                proxy.disable();
            }
        }
        if (upstream != null) {
            proxy.changeUpstream(upstream);
        }
        return proxy;
    }

    public synchronized void delete(String name) {
        Proxy proxy = get(name);
        proxy.disable();
        proxies.remove(name);
    }

    /**
     * Creates or replaces many proxies at once, as Toxiproxy's {@code /populate} and config files do. A proxy with
     * the same name, listen and upstream is kept untouched, with its toxics and connections. If any bind fails,
     * everything done so far is undone.
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
                if (built.stream().anyMatch(b -> b.name().equals(t.name()))) {
                    throw new ValidationException("toxics", "toxic " + t.name() + " appears twice in proxy "
                            + e.getKey());
                }
                built.add(t);
            }
            toxics.put(e.getKey(), built);
        }
        List<Runnable> undo = new ArrayList<>();
        List<Proxy> result = new ArrayList<>();
        try {
            for (ProxySpec spec : unique.values()) {
                Proxy existing = proxies.get(spec.name());
                if (existing != null && existing.listensOn(spec.listen())
                        && existing.upstreamAddress().equals(spec.upstream())) {
                    result.add(existing);
                    continue;
                }
                if (existing != null) {
                    existing.disable();
                    proxies.remove(spec.name());
                    undo.add(() -> {
                        proxies.put(spec.name(), existing);
                        existing.enable();
                    });
                }
                Proxy created = new Proxy(engine, spec);
                if (spec.enabled()) {
                    created.startListening();
                }
                proxies.put(spec.name(), created);
                undo.add(() -> {
                    created.disable();
                    proxies.remove(spec.name());
                });
                result.add(created);
            }
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                try {
                    undo.get(i).run();
                } catch (RuntimeException ignored) {
                    // best effort: the original failure is what the user needs to see
                }
            }
            throw e;
        }
        for (Map.Entry<String, List<Toxic>> e : toxics.entrySet()) {
            Proxy p = proxies.get(e.getKey());
            if (p != null) {
                p.setToxics(e.getValue(), c -> {
                    for (Toxic t : e.getValue()) {
                        c.attach(t);
                    }
                });
            }
        }
        return result;
    }

    /** Every proxy enabled, every toxic removed; proxies kept. */
    public synchronized void reset() {
        for (Proxy p : all()) {
            removeAllToxics(p);
            if (!p.enabled()) {
                try {
                    p.enable();
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
        List<Toxic> list = new ArrayList<>(proxy.toxicsSnapshot());
        list.add(toxic);
        proxy.setToxics(list, c -> c.attach(toxic));
        return toxic;
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
        proxy.setToxics(list, c -> c.replace(updated));
        return updated;
    }

    public synchronized void removeToxic(String proxyName, String toxicName) {
        Proxy proxy = get(proxyName);
        Toxic old = toxic(proxyName, toxicName);
        List<Toxic> list = new ArrayList<>(proxy.toxicsSnapshot());
        list.remove(old);
        proxy.setToxics(list, c -> c.detach(old));
    }

    private void removeAllToxics(Proxy proxy) {
        List<Toxic> old = proxy.toxicsSnapshot();
        if (!old.isEmpty()) {
            proxy.setToxics(List.of(), c -> old.forEach(c::detach));
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
        StreamDirection stream = request.stream() == null || request.stream().isEmpty() ? StreamDirection.DOWNSTREAM
                : StreamDirection.parse(request.stream()).orElseThrow(() -> new ValidationException("stream",
                        "invalid stream direction: stream must be upstream or downstream, got \""
                                + request.stream() + "\""));
        double toxicity = request.toxicity() == null ? 1.0 : checkToxicity(request.toxicity());
        Attributes attributes = type.schema().merge(type.schema().defaults(), request.attributes());
        String name = request.name() == null || request.name().isEmpty()
                ? type.name() + "_" + stream.jsonName() : request.name();
        return new Toxic(name, type, stream, toxicity, attributes);
    }

    private static double checkToxicity(double toxicity) {
        if (!(toxicity >= 0 && toxicity <= 1)) {
            throw new ValidationException("toxicity", "toxicity must be between 0 and 1, got " + toxicity);
        }
        return toxicity;
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException("name", "missing required field: name");
        }
    }

    @Override
    public synchronized void close() {
        for (Proxy p : all()) {
            p.disable();
        }
        proxies.clear();
    }
}
