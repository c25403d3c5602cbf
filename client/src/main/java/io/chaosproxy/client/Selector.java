package io.chaosproxy.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which connections a toxic applies to, counted in accept order from when the toxic was created. Conditions
 * combine (all must hold): {@code Selector.first(5).clients("127.0.0.2/32")}. Toxicity is rolled on top.
 */
public final class Selector {
    private final Long first;
    private final Long every;
    private final Long after;
    private final List<String> clients;
    private final List<String> sni;

    private Selector(Long first, Long every, Long after, List<String> clients) {
        this(first, every, after, clients, null);
    }

    private Selector(Long first, Long every, Long after, List<String> clients, List<String> sni) {
        this.first = first;
        this.every = every;
        this.after = after;
        this.clients = clients;
        this.sni = sni;
    }

    /**
     * TLS toxics only: connections whose ClientHello names one of these servers ({@code db.example.com}) or
     * matches a pattern ({@code *.example.com}).
     */
    public static Selector sni(String... serverNames) {
        return new Selector(null, null, null, null, List.copyOf(Arrays.asList(serverNames)));
    }

    public Selector andSni(String... serverNames) {
        List<String> all = new ArrayList<>(sni == null ? List.of() : sni);
        all.addAll(Arrays.asList(serverNames));
        return new Selector(first, every, after, clients, List.copyOf(all));
    }

    public List<String> sniOrEmpty() {
        return sni == null ? List.of() : sni;
    }

    /** Only the first {@code n} connections. */
    public static Selector first(long n) {
        return new Selector(n, null, null, null);
    }

    /** Only every {@code n}-th connection. */
    public static Selector every(long n) {
        return new Selector(null, n, null, null);
    }

    /** Only connections after the first {@code n}. */
    public static Selector after(long n) {
        return new Selector(null, null, n, null);
    }

    /** Only clients whose address is in one of these CIDRs ({@code "127.0.0.2/32"}, {@code "::1/128"}). */
    public static Selector clients(String... cidrs) {
        return new Selector(null, null, null, List.copyOf(Arrays.asList(cidrs)));
    }

    public Selector andFirst(long n) {
        return new Selector(n, every, after, clients, sni);
    }

    public Selector andEvery(long n) {
        return new Selector(first, n, after, clients, sni);
    }

    public Selector andAfter(long n) {
        return new Selector(first, every, n, clients, sni);
    }

    public Selector andClients(String... cidrs) {
        List<String> all = new ArrayList<>(clients == null ? List.of() : clients);
        all.addAll(Arrays.asList(cidrs));
        return new Selector(first, every, after, List.copyOf(all), sni);
    }

    public Long firstOrNull() {
        return first;
    }

    public Long everyOrNull() {
        return every;
    }

    public Long afterOrNull() {
        return after;
    }

    public List<String> clientsOrEmpty() {
        return clients == null ? List.of() : clients;
    }

    /** The selector's JSON object, as the API takes and shows it. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (first != null) {
            m.put("first", first);
        }
        if (every != null) {
            m.put("every", every);
        }
        if (after != null) {
            m.put("after", after);
        }
        if (clients != null) {
            m.put("clients", clients);
        }
        if (sni != null) {
            m.put("sni", sni);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    static Selector fromJson(Map<String, Object> json) {
        if (json == null) {
            return null;
        }
        Object clients = json.get("clients");
        Object sni = json.get("sni");
        return new Selector(asLong(json.get("first")), asLong(json.get("every")), asLong(json.get("after")),
                clients == null ? null : List.copyOf((List<String>) clients),
                sni == null ? null : List.copyOf((List<String>) sni));
    }

    private static Long asLong(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Selector && ((Selector) o).toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "Selector" + toJson();
    }
}
