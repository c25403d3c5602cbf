package io.chaosproxy.model;


/** A {@code host:port} address as users write it: {@code 127.0.0.1:80}, {@code [::1]:80}, {@code db:5432}. */
public record HostPort(String host, int port) {

    /**
     * Parses an address; {@code field} names the JSON field in error messages. An empty host (":8080") means every
     * interface, as in Toxiproxy.
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
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new ValidationException(field, field + ": write IPv6 addresses in brackets, e.g. [::1]:8080");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ValidationException(field, field + " has an invalid port \"" + portText + "\"");
        }
        int min = allowPortZero ? 0 : 1;
        if (port < min || port > 65535) {
            throw new ValidationException(field, field + " port must be between " + min + " and 65535, got " + port);
        }
        return new HostPort(host, port);
    }

    public boolean anyHost() {
        return host.isEmpty();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
