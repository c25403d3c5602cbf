package io.chaosproxy.scenario;

import io.chaosproxy.scenario.ScenarioRecord.SocketEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the kernel's TCP socket tables ({@code /proc/net/tcp} and {@code /proc/net/tcp6}, the same source as
 * {@code ss} and {@code netstat}) and names the sockets of one scenario by role. Linux only; elsewhere empty.
 */
final class SocketStates {
    private static final String[] STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private SocketStates() {
    }

    /** The sockets touching the proxy's or the server's port, listeners left out. */
    static List<SocketEntry> read(int proxyPort, int serverPort) {
        List<SocketEntry> out = new ArrayList<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException | RuntimeException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                SocketEntry e = parse(line, proxyPort, serverPort);
                if (e != null) {
                    out.add(e);
                }
            }
        }
        out.sort(java.util.Comparator.comparingInt(e -> roleOrder(e.role())));
        return out;
    }

    /** One line of /proc/net/tcp{,6}, or null when it is not one of ours (or a listener). */
    static SocketEntry parse(String line, int proxyPort, int serverPort) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 7) {
            return null;
        }
        String[] local = f[1].split(":");
        String[] remote = f[2].split(":");
        int state = Integer.parseInt(f[3], 16);
        if (state == 10) {
            return null;
        }
        int localPort = Integer.parseInt(local[1], 16);
        int remotePort = Integer.parseInt(remote[1], 16);
        String role;
        if (localPort == proxyPort) {
            role = "proxy (client leg)";
        } else if (remotePort == proxyPort) {
            role = "client";
        } else if (localPort == serverPort) {
            role = "server";
        } else if (remotePort == serverPort) {
            role = "proxy (server leg)";
        } else {
            return null;
        }
        String[] queues = f[4].split(":");
        return new SocketEntry(role, address(local[0]) + ":" + localPort, address(remote[0]) + ":" + remotePort,
                state < STATES.length ? STATES[state] : "0x" + f[3], Long.parseLong(queues[0], 16),
                Long.parseLong(queues[1], 16), Integer.parseInt(f[6], 16));
    }

    /** The kernel prints addresses as 32-bit words in host (little-endian) order. */
    static String address(String hex) {
        byte[] b = new byte[hex.length() / 2];
        for (int word = 0; word < b.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                b[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        boolean v4Mapped = true;
        for (int i = 0; i < 10; i++) {
            v4Mapped &= b[i] == 0;
        }
        if (v4Mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < 16; i += 2) {
            s.append(i == 0 ? "" : ":").append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
        }
        return s.append(']').toString().toLowerCase(Locale.ROOT);
    }

    private static int roleOrder(String role) {
        return switch (role) {
            case "client" -> 0;
            case "proxy (client leg)" -> 1;
            case "proxy (server leg)" -> 2;
            default -> 3;
        };
    }

    /** The kernel's count of retransmitted segments in this network namespace (/proc/net/snmp), or null. */
    static Long retransSegs() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/snmp"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("Tcp:") && lines.get(i + 1).startsWith("Tcp:")) {
                    String[] names = lines.get(i).split("\\s+");
                    String[] values = lines.get(i + 1).split("\\s+");
                    for (int k = 0; k < names.length && k < values.length; k++) {
                        if (names[k].equals("RetransSegs")) {
                            return Long.parseLong(values[k]);
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** A kernel setting such as {@code net/ipv4/tcp_syn_retries}, or null where it does not exist. */
    static String sysctl(String name) {
        try {
            return Files.readString(Path.of("/proc/sys/" + name)).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
