package io.chaosproxy.api;

import io.netty.util.NetUtil;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} headers the API answers: literal IP addresses, {@code localhost}, and the names given with
 * {@code --allowed-hosts} ({@code *}: any). A page that rebinds its own name (evil.example) to 127.0.0.1 still
 * sends {@code Host: evil.example}, which is how the DNS-rebinding attack is recognised and refused.
 */
public final class AllowedHosts {
    private final boolean any;
    private final Set<String> names;

    private AllowedHosts(boolean any, Set<String> names) {
        this.any = any;
        this.names = names;
    }

    /** Literal addresses and localhost only: the default. */
    public static AllowedHosts literalOnly() {
        return new AllowedHosts(false, Set.of());
    }

    /**
     * @param entries host names (no port, no scheme), or {@code *}
     * @throws IllegalArgumentException naming the entry that is not a host name
     */
    public static AllowedHosts of(List<String> entries) {
        boolean any = false;
        Set<String> names = new LinkedHashSet<>();
        for (String raw : entries) {
            String e = raw.trim();
            if (e.equals("*")) {
                any = true;
            } else if (e.isEmpty() || !e.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--allowed-hosts: \"" + raw + "\" is not a host name (write names"
                        + " without scheme or port, e.g. chaos-proxy.test.svc, or * for any)");
            } else {
                names.add(normal(e));
            }
        }
        return new AllowedHosts(any, Collections.unmodifiableSet(names)); // in the order given, for messages
    }

    public boolean any() {
        return any;
    }

    /**
     * Whether a request's {@code Host} header value is allowed. A request without one is (HTTP/1.0 clients, the
     * container's health check): every browser sends it.
     */
    boolean allows(String hostHeader) {
        if (hostHeader == null || any) {
            return true;
        }
        String host = hostOf(hostHeader.trim());
        if (host == null) {
            return false;
        }
        if (host.startsWith("[")) {
            return NetUtil.isValidIpV6Address(host.substring(1, host.length() - 1));
        }
        String name = normal(host);
        return NetUtil.isValidIpV4Address(name) || name.equals("localhost") || names.contains(name);
    }

    /** The host part of {@code host[:port]} or {@code [v6][:port]}, or null if the value is malformed. */
    static String hostOf(String hostHeader) {
        if (hostHeader.startsWith("[")) {
            int close = hostHeader.indexOf(']');
            if (close < 0 || !portOk(hostHeader.substring(close + 1))) {
                return null;
            }
            return hostHeader.substring(0, close + 1);
        }
        int colon = hostHeader.indexOf(':');
        if (colon < 0) {
            return hostHeader.isEmpty() ? null : hostHeader;
        }
        return colon == 0 || !portOk(hostHeader.substring(colon)) ? null : hostHeader.substring(0, colon);
    }

    private static boolean portOk(String rest) {
        return rest.isEmpty() || rest.matches(":[0-9]{1,5}");
    }

    /** Lower case, one trailing dot dropped ({@code localhost.} is {@code localhost}). */
    private static String normal(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    @Override
    public String toString() {
        return any ? "*" : String.join(",", names);
    }
}
