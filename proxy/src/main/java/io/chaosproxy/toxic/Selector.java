package io.chaosproxy.toxic;

import io.chaosproxy.model.ValidationException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which connections a toxic applies to, counted from when the toxic was created: {@code first} N connections,
 * {@code every} N-th, those {@code after} the first N, and/or those whose client address is in one of
 * {@code clients} (CIDR), and (TLS toxics) whose ClientHello names a server matching one of {@code sni}
 * ({@code db.example.com}, {@code *.example.com}). Every given condition must hold; toxicity is rolled on top.
 */
public record Selector(Long first, Long every, Long after, List<Cidr> clients, List<String> sni) {

    public Selector(Long first, Long every, Long after, List<Cidr> clients) {
        this(first, every, after, clients, null);
    }

    /**
     * Whether a ClientHello's server name matches one of the {@code sni} patterns (case-insensitive; {@code *.}
     * matches one or more labels in front); true when the selector names none. No SNI matches no pattern.
     */
    public boolean matchesSni(String serverName) {
        if (sni == null) {
            return true;
        }
        if (serverName == null) {
            return false;
        }
        String name = serverName.toLowerCase(java.util.Locale.ROOT);
        for (String pattern : sni) {
            if (pattern.startsWith("*.") ? name.endsWith(pattern.substring(1)) : name.equals(pattern)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(long connectionIndex, InetAddress client) {
        if (first != null && connectionIndex > first) {
            return false;
        }
        if (every != null && connectionIndex % every != 0) {
            return false;
        }
        if (after != null && connectionIndex <= after) {
            return false;
        }
        if (clients != null && !clients.isEmpty()) {
            return client != null && clients.stream().anyMatch(c -> c.contains(client));
        }
        return true;
    }

    /** Parses {@code {"first": N, "every": N, "after": N, "clients": ["127.0.0.2/32"]}}; null gives null. */
    public static Selector parse(Map<String, Object> json) {
        if (json == null) {
            return null;
        }
        Long first = null;
        Long every = null;
        Long after = null;
        List<Cidr> clients = null;
        List<String> sni = null;
        for (Map.Entry<String, Object> e : json.entrySet()) {
            String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
            switch (key) {
                case "first" -> first = count("selector.first", e.getValue(), 1);
                case "every" -> every = count("selector.every", e.getValue(), 1);
                case "after" -> after = count("selector.after", e.getValue(), 0);
                case "clients" -> clients = cidrs(e.getValue());
                case "sni" -> sni = serverNames(e.getValue());
                default -> throw new ValidationException("selector." + e.getKey(), "selector." + e.getKey()
                        + " is not a selector; use first, every, after, clients or sni");
            }
        }
        if (first == null && every == null && after == null && clients == null && sni == null) {
            throw new ValidationException("selector",
                    "selector needs at least one of first, every, after, clients, sni");
        }
        return new Selector(first, every, after, clients, sni);
    }

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
            m.put("clients", clients.stream().map(Cidr::toString).toList());
        }
        if (sni != null) {
            m.put("sni", sni);
        }
        return m;
    }

    private static Long count(String field, Object value, long min) {
        if (!(value instanceof Long) || (Long) value < min) {
            throw new ValidationException(field, field + " must be a whole number of at least " + min);
        }
        return (Long) value;
    }

    private static final java.util.regex.Pattern SERVER_NAME = java.util.regex.Pattern.compile(
            "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    /** Server names or {@code *.suffix} patterns: letters, digits, dots, hyphens; at most 64 of them. */
    private static List<String> serverNames(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > 64) {
            throw new ValidationException("selector.sni",
                    "selector.sni must be an array of 1 to 64 server names or *.suffix patterns");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String field = "selector.sni[" + i + "]";
            if (!(list.get(i) instanceof String name)
                    || !SERVER_NAME.matcher(name).matches() || name.length() > 253) {
                throw new ValidationException(field, field
                        + " must be a server name such as db.example.com or a pattern such as *.example.com");
            }
            out.add(name.toLowerCase(java.util.Locale.ROOT));
        }
        return List.copyOf(out);
    }

    private static List<Cidr> cidrs(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ValidationException("selector.clients", "selector.clients must be an array of CIDRs");
        }
        List<Cidr> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(Cidr.parse("selector.clients[" + i + "]", list.get(i)));
        }
        return List.copyOf(out);
    }
}
