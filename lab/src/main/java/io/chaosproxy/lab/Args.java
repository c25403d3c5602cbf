package io.chaosproxy.lab;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** {@code --name value} or {@code --name=value} flags, each checked against the names a command knows. */
final class Args {
    private final Map<String, String> values = new HashMap<>();

    Args(String command, String[] args, Map<String, String> defaults) {
        values.putAll(defaults);
        Set<String> known = defaults.keySet();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                throw new UsageException(usage(command, defaults));
            }
            if (!a.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'\n" + usage(command, defaults));
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            if (!known.contains(name)) {
                throw new UsageException("unknown option --" + name + "\n" + usage(command, defaults));
            }
            values.put(name, value);
        }
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name) {
        try {
            return Integer.parseInt(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + values.get(name) + "'");
        }
    }

    double decimal(String name) {
        try {
            return Double.parseDouble(values.get(name).trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + values.get(name) + "'");
        }
    }

    /** host:port; an empty value means "off" (null). */
    HostPort address(String name) {
        String v = values.get(name).trim();
        if (v.isEmpty()) {
            return null;
        }
        int colon = v.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("--" + name + " must be host:port, got '" + v + "'");
        }
        try {
            return new HostPort(v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be host:port, got '" + v + "'");
        }
    }

    private static String usage(String command, Map<String, String> defaults) {
        StringBuilder sb = new StringBuilder("usage: java -jar chaos-proxy-lab.jar " + command + " [options]\n");
        defaults.keySet().stream().sorted().forEach(k ->
                sb.append("  --").append(k).append(" (default '").append(defaults.get(k)).append("')\n"));
        return sb.toString();
    }

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
