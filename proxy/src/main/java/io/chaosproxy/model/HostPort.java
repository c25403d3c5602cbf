package io.chaosproxy.model;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A {@code host:port} address as users write it: {@code 127.0.0.1:80}, {@code [::1]:80}, {@code db:5432}. */
public record HostPort(String host, int port) {

    /**
     * Parses an address strictly; {@code field} names the JSON field in error messages. An empty host (":8080") means
     * every interface, as in Toxiproxy. The port is ASCII digits only ({@code Integer.parseInt} also takes other
     * scripts' digits: "١٢" would bind port 12), and an IPv6 address is one pair of brackets around a valid literal.
     */
    public static HostPort parse(String field, String text, boolean allowPortZero) {
        if (text == null || text.isBlank()) {
            throw new ValidationException(field, "missing required field: " + field);
        }
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon < 0) {
            throw new ValidationException(field, field + " must be host:port, got \"" + text + "\"");
        }
        String host = hostOf(field, t.substring(0, colon), text);
        int port = portOf(field, t.substring(colon + 1));
        int min = allowPortZero ? 0 : 1;
        if (port < min || port > 65535) {
            throw new ValidationException(field, field + " port must be between " + min + " and 65535, got " + port);
        }
        return new HostPort(host, port);
    }

    private static String hostOf(String field, String host, String text) {
        if (host.startsWith("[")) {
            String inner = host.endsWith("]") ? host.substring(1, host.length() - 1) : null;
            if (inner == null || !isIpv6Literal(inner)) {
                throw new ValidationException(field, field + " must be [IPv6 address]:port with one pair of brackets"
                        + " around a valid IPv6 address, got \"" + text + "\"");
            }
            return inner;
        }
        if (host.contains(":")) {
            throw new ValidationException(field, field + ": write IPv6 addresses in brackets, e.g. [::1]:8080");
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '[' || c == ']' || c == '/' || c == '%') {
                throw new ValidationException(field, field + " has an invalid host \"" + host
                        + "\" (a host name or IPv4 address in ASCII letters, digits, '-' and '.')");
            }
        }
        return host;
    }

    /** Hex digits, colons and (for an embedded IPv4 tail) dots, then the JDK's own literal parser (no DNS lookup). */
    private static boolean isIpv6Literal(String s) {
        if (s.isEmpty() || !s.contains(":")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != ':' && c != '.') {
                return false;
            }
        }
        try {
            return InetAddress.getByName(s) != null; // a literal with ':' is parsed, never looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static int portOf(String field, String portText) {
        boolean asciiDigits = !portText.isEmpty() && portText.length() <= 5;
        for (int i = 0; asciiDigits && i < portText.length(); i++) {
            char c = portText.charAt(i);
            asciiDigits = c >= '0' && c <= '9';
        }
        if (!asciiDigits) {
            throw new ValidationException(field, field + " has an invalid port \"" + portText
                    + "\" (1 to 5 ASCII digits)");
        }
        return Integer.parseInt(portText);
    }

    public boolean anyHost() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
