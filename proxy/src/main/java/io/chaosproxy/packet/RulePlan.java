package io.chaosproxy.packet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The netfilter rules of one proxy: a chain {@code CHAOS-<instance>-<hash>} that queues control segments (SYN, FIN,
 * RST and the first few packets of a connection) and lets bulk data return at once, and jumps to it scoped to the
 * proxy's listen port (client leg) and to the proxy's own connections to its upstream (server leg), in the families
 * that apply.
 *
 * <p>Server leg: the proxy's dialled sockets carry {@link Instance#socketMark()} (SO_MARK), so other processes'
 * connections to the same upstream are never queued. A socket mark is on outgoing packets only; the first rule
 * copies it to the connection's conntrack mark, which the upstream's answers (the SYN-ACK) carry on the way in.
 */
record RulePlan(String chain, String comment, Map<Integer, List<List<String>>> jumps) {
    /** The mark a verdict sets (with NF_REPEAT) to have the chain's REJECT rule answer a SYN with a reset. */
    static final int REJECT_MARK = 0x43480000;
    static final String REJECT_MARK_TEXT = "0x43480000/0xffff0000";
    /** Flagless segments after this many packets of a connection (both directions) are never queued. */
    static final int QUEUED_PACKETS = 10;

    static RulePlan of(Instance instance, String proxyName, InetSocketAddress listen, List<InetAddress> upstream,
            int upstreamPort, boolean clientLeg, boolean serverLeg, boolean ipv6) {
        String comment = comment(instance, proxyName);
        Map<Integer, List<List<String>>> jumps = new TreeMap<>();
        String chain = chainName(instance, proxyName);
        if (clientLeg && listen != null) {
            InetAddress a = listen.getAddress();
            boolean any = a.isAnyLocalAddress();
            for (int family : any ? (a instanceof Inet6Address ? new int[] {4, 6} : new int[] {4})
                    : new int[] {familyOf(a)}) {
                if (family == 6 && !ipv6) {
                    continue;
                }
                List<List<String>> list = jumps.computeIfAbsent(family, f -> new ArrayList<>());
                List<String> in = new ArrayList<>(List.of("INPUT", "-p", "tcp"));
                List<String> out = new ArrayList<>(List.of("OUTPUT", "-p", "tcp"));
                if (!any) {
                    in.addAll(List.of("-d", text(a)));
                    out.addAll(List.of("-s", text(a)));
                }
                in.addAll(List.of("--dport", String.valueOf(listen.getPort())));
                out.addAll(List.of("--sport", String.valueOf(listen.getPort())));
                list.add(in);
                list.add(out);
            }
        }
        if (serverLeg) {
            for (InetAddress u : upstream) {
                int family = familyOf(u);
                if (family == 6 && !ipv6) {
                    continue;
                }
                List<List<String>> list = jumps.computeIfAbsent(family, f -> new ArrayList<>());
                String port = String.valueOf(upstreamPort);
                String mark = instance.markText();
                // Inserted in order at position 1 each, so this one ends up first: the SYN's socket mark becomes the
                // connection's mark before the jump below looks at it. It ends in CONNMARK (not our chain), on purpose.
                list.add(new ArrayList<>(List.of("OUTPUT", "-p", "tcp", "-d", text(u), "--dport", port,
                        "-m", "connmark", "--mark", mark)));
                list.add(new ArrayList<>(List.of("INPUT", "-p", "tcp", "-s", text(u), "--sport", port,
                        "-m", "connmark", "--mark", mark)));
                list.add(new ArrayList<>(List.of("OUTPUT", "-p", "tcp", "-d", text(u), "--dport", port,
                        "-m", "mark", "--mark", mark, "-j", "CONNMARK", "--set-xmark", mark)));
            }
        }
        for (List<List<String>> list : jumps.values()) {
            for (List<String> rule : list) {
                int target = rule.indexOf("-j");
                List<String> tail = List.of("-m", "comment", "--comment", comment);
                if (target < 0) {
                    rule.addAll(tail);
                    rule.addAll(List.of("-j", chain));
                } else {
                    rule.addAll(target, tail);
                }
            }
        }
        return new RulePlan(chain, comment, jumps);
    }

    boolean isEmpty() {
        return jumps.isEmpty();
    }

    /** The chain's own rules for a queue number. */
    List<List<String>> chainRules(int queue) {
        return List.of(
                List.of("-A", chain, "-p", "tcp", "-m", "mark", "--mark", REJECT_MARK_TEXT, "-m", "comment",
                        "--comment", comment, "-j", "REJECT", "--reject-with", "tcp-reset"),
                List.of("-A", chain, "-p", "tcp", "--tcp-flags", "SYN,FIN,RST", "NONE", "-m", "connbytes",
                        "--connbytes", QUEUED_PACKETS + ":", "--connbytes-dir", "both", "--connbytes-mode",
                        "packets", "-m", "comment", "--comment", comment, "-j", "RETURN"),
                List.of("-A", chain, "-p", "tcp", "-m", "comment", "--comment", comment, "-j", "NFQUEUE",
                        "--queue-num", String.valueOf(queue), "--queue-bypass"));
    }

    static String comment(Instance instance, String proxyName) {
        StringBuilder b = new StringBuilder(Iptables.COMMENT_PREFIX).append(instance.id()).append(':');
        for (char c : proxyName.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' || c == ':' ? c
                    : '_');
        }
        return b.length() > 200 ? b.substring(0, 200) : b.toString();
    }

    /** At most 6 + 10 + 1 + 10 = 27 characters (iptables allows 28). */
    static String chainName(Instance instance, String proxyName) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(proxyName.getBytes(StandardCharsets.UTF_8));
            return Iptables.CHAIN_PREFIX + instance.id() + "-" + HexFormat.of().formatHex(hash, 0, 5);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int familyOf(InetAddress a) {
        return a instanceof Inet6Address ? 6 : 4; // Java already turns v4-mapped addresses into Inet4Address
    }

    static String text(InetAddress a) {
        String t = a.getHostAddress();
        int scope = t.indexOf('%');
        return scope >= 0 ? t.substring(0, scope) : t;
    }
}
