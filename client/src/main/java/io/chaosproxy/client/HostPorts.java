package io.chaosproxy.client;

/** Splits {@code host:port} and {@code [v6]:port}. */
final class HostPorts {
    private HostPorts() {
    }

    static String host(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host;
    }

    static int port(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("no port in " + hostPort);
        }
        return Integer.parseInt(hostPort.substring(colon + 1));
    }

    static String join(String host, int port) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
