package io.chaosproxy.api;

import io.chaosproxy.model.HostPort;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An allow-list of addresses: {@code --allow-listen} (CIDR blocks) or {@code --allow-upstream} (CIDR blocks, or
 * {@code host[:port]}). Empty means anything, as Toxiproxy. A CIDR block matches an address written as an IP
 * address; a name matches only a rule naming it: an upstream name is resolved again at each dial, so checking
 * what it resolves to now would prove nothing. A listen name (it is bound once) is resolved, and every address it
 * gives must be allowed.
 */
public final class AddressRules {
    private final String flag;
    private final List<Rule> rules;

    private AddressRules(String flag, List<Rule> rules) {
        this.flag = flag;
        this.rules = rules;
    }

    /** No limit. */
    public static AddressRules anything(String flag) {
        return new AddressRules(flag, List.of());
    }

    /** {@code --allow-listen}: CIDR blocks or single IP addresses. */
    public static AddressRules listen(List<String> entries) {
        return parse("--allow-listen", entries, false);
    }

    /** {@code --allow-upstream}: CIDR blocks, IP addresses, or {@code host[:port]}. */
    public static AddressRules upstream(List<String> entries) {
        return parse("--allow-upstream", entries, true);
    }

    private static AddressRules parse(String flag, List<String> entries, boolean namesAllowed) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim();
            Rule r = e.contains("/") ? Cidr.parse(e) : HostRule.parse(e);
            if (r == null || (!namesAllowed && !(r instanceof Cidr) && !((HostRule) r).literalWithoutPort())) {
                throw new IllegalArgumentException(flag + ": \"" + raw + "\" is not "
                        + (namesAllowed ? "a CIDR block (10.0.0.0/8), an IP address or host[:port]"
                                : "a CIDR block (127.0.0.0/8) or an IP address"));
            }
            rules.add(r);
        }
        return new AddressRules(flag, List.copyOf(rules));
    }

    public boolean unrestricted() {
        return rules.isEmpty();
    }

    /** The flag and its rules, as a refusal names them: {@code --allow-listen 127.0.0.0/8,::1/128}. */
    String describe() {
        return flag + " " + (rules.isEmpty() ? "(anything)" : String.join(",", rules.stream().map(Rule::text).toList()));
    }

    /** Whether an upstream may be dialled: by the literal address or name the user wrote. */
    boolean allowsUpstream(HostPort upstream) {
        if (unrestricted()) {
            return true;
        }
        byte[] literal = addressBytes(upstream.host());
        return rules.stream().anyMatch(r -> r.allows(upstream.host(), literal, upstream.port()));
    }

    /** Whether a proxy may listen there: every address the host stands for must be allowed (empty: 0.0.0.0). */
    boolean allowsListen(HostPort listen) {
        if (unrestricted()) {
            return true;
        }
        List<byte[]> addresses = addressesOf(listen.host());
        return !addresses.isEmpty() && addresses.stream()
                .allMatch(a -> rules.stream().anyMatch(r -> r.allows(listen.host(), a, listen.port())));
    }

    /** The addresses a listen host stands for; a name is resolved (the control thread may block); none if unknown. */
    static List<byte[]> addressesOf(String host) {
        if (host.isEmpty()) {
            return List.of(new byte[4]);
        }
        byte[] literal = addressBytes(host);
        if (literal != null) {
            return List.of(literal);
        }
        try {
            return Arrays.stream(InetAddress.getAllByName(host)).map(a -> unmapped(a.getAddress())).toList();
        } catch (UnknownHostException e) {
            return List.of();
        }
    }

    /** An IP literal's bytes (an IPv4-mapped IPv6 address as its IPv4 bytes), or null for a name; never DNS. */
    static byte[] addressBytes(String host) {
        byte[] b = NetUtil.createByteArrayFromIpAddressString(host);
        return b == null ? null : unmapped(b);
    }

    private static byte[] unmapped(byte[] b) {
        if (b.length == 16 && b[10] == (byte) 0xff && b[11] == (byte) 0xff
                && Arrays.equals(Arrays.copyOf(b, 10), new byte[10])) {
            return Arrays.copyOfRange(b, 12, 16);
        }
        return b;
    }

    private sealed interface Rule permits Cidr, HostRule {
        String text();

        /** @param literal the address's bytes, or null when the host is a name */
        boolean allows(String host, byte[] literal, int port);
    }

    private record Cidr(String text, byte[] network, int prefix) implements Rule {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            byte[] network = addressBytes(text.substring(0, slash));
            String bits = text.substring(slash + 1);
            if (network == null || !bits.matches("[0-9]{1,3}")) {
                return null;
            }
            int prefix = Integer.parseInt(bits);
            int max = network.length * 8;
            if (text.substring(0, slash).contains(":") && network.length == 4) {
                prefix -= 96; // ::ffff:a.b.c.d/120 is a.b.c.d/24
            }
            return prefix < 0 || prefix > max ? null : new Cidr(text, network, prefix);
        }

        @Override
        public boolean allows(String host, byte[] literal, int port) {
            if (literal == null || literal.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((literal[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code host}, {@code host:port}, {@code [v6]}, {@code [v6]:port}, or a bare IPv6 address. */
    private record HostRule(String text, String host, byte[] literal, int port) implements Rule {
        static HostRule parse(String text) {
            String host = text;
            int port = 0;
            if (text.startsWith("[")) {
                int close = text.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = text.substring(1, close);
                String rest = text.substring(close + 1);
                if (!rest.isEmpty()) {
                    if (!rest.matches(":[0-9]{1,5}")) {
                        return null;
                    }
                    port = Integer.parseInt(rest.substring(1));
                }
            } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
                int colon = text.indexOf(':');
                host = text.substring(0, colon);
                if (!text.substring(colon + 1).matches("[0-9]{1,5}")) {
                    return null;
                }
                port = Integer.parseInt(text.substring(colon + 1));
            }
            byte[] literal = addressBytes(host);
            boolean nameOk = host.matches("[A-Za-z0-9._-]+");
            if ((literal == null && !nameOk) || port > 65535) {
                return null;
            }
            return new HostRule(text, host.toLowerCase(Locale.ROOT), literal, port);
        }

        boolean literalWithoutPort() {
            return literal != null && port == 0;
        }

        @Override
        public boolean allows(String requestHost, byte[] requestLiteral, int requestPort) {
            if (port != 0 && port != requestPort) {
                return false;
            }
            if (literal != null || requestLiteral != null) {
                return literal != null && requestLiteral != null && Arrays.equals(literal, requestLiteral);
            }
            return host.equalsIgnoreCase(requestHost);
        }
    }
}
