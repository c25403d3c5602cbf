package io.chaosproxy.packet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs iptables and ip6tables (whichever backend they are, nft or legacy). Every rule the packet engine installs
 * carries a {@code chaos-proxy:<instance>:<proxy>} comment, and every chain is named {@code CHAOS-<instance>-<hash>},
 * so rules can be found and removed again, including ones left behind by a run that has ended.
 */
final class Iptables {
    static final String COMMENT_PREFIX = "chaos-proxy:";
    static final String CHAIN_PREFIX = "CHAOS-";

    /** Thrown when an iptables command fails; the message has the command and its output. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }

    private final String v4;
    private final String v6;

    private Iptables(String v4, String v6) {
        this.v4 = v4;
        this.v6 = v6;
    }

    /** The binaries found, or null with no iptables at all. ip6tables may be missing (then IPv6 is not served). */
    static Iptables find() {
        String v4 = locate("iptables");
        return v4 == null ? null : new Iptables(v4, locate("ip6tables"));
    }

    boolean hasIpv6() {
        return v6 != null;
    }

    private static String locate(String name) {
        String override = System.getProperty("chaosproxy." + name);
        if (override != null) {
            return override;
        }
        Set<String> dirs = new LinkedHashSet<>(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        for (String dir : dirs) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    String binary(int family) {
        return family == 6 ? v6 : v4;
    }

    /** Runs one command; throws {@link Failure} on a non-zero exit. */
    String run(int family, List<String> args) {
        String bin = binary(family);
        if (bin == null) {
            throw new Failure("ip6tables not found");
        }
        List<String> command = new ArrayList<>();
        command.add(bin);
        command.add("-w");
        command.add("5");
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = readAll(p.getInputStream());
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Failure(String.join(" ", command) + ": timed out");
            }
            if (p.exitValue() != 0) {
                throw new Failure(String.join(" ", command) + ": exit " + p.exitValue() + ": " + output.trim());
            }
            return output;
        } catch (IOException e) {
            throw new Failure(String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(String.join(" ", command) + ": interrupted");
        }
    }

    boolean tryRun(int family, List<String> args) {
        try {
            run(family, args);
            return true;
        } catch (Failure e) {
            return false;
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The rules in the filter table, in {@code iptables -S} form, split into words (quotes removed). */
    List<List<String>> listRules(int family) {
        List<List<String>> rules = new ArrayList<>();
        for (String line : run(family, List.of("-S")).split("\n")) {
            if (!line.isBlank()) {
                rules.add(words(line));
            }
        }
        return rules;
    }

    /** Removes one plan's rules: the jumps to its chain, its other rules (by its comment), and the chain. */
    void removeChains(int family, String chain, String comment) {
        removeMatching(family, chain::equals, comment::equals);
    }

    /**
     * Removes the rules and chains of instances that no longer run (and those of versions before instance ids),
     * never another running instance's.
     */
    void removeStale(int family) {
        removeMatching(family, chain -> stale(Instance.idIn(chain, CHAIN_PREFIX)),
                comment -> comment.startsWith(COMMENT_PREFIX) && stale(Instance.idIn(comment, COMMENT_PREFIX)));
    }

    private static boolean stale(long instanceId) {
        return instanceId < 0 || !Instance.running(instanceId);
    }

    private void removeMatching(int family, Predicate<String> chainSelected,
            Predicate<String> commentSelected) {
        if (binary(family) == null) {
            return;
        }
        List<List<String>> rules = listRules(family);
        Set<String> chains = new LinkedHashSet<>();
        for (List<String> r : rules) {
            if (r.size() >= 2 && r.get(0).equals("-N") && r.get(1).startsWith(CHAIN_PREFIX)
                    && chainSelected.test(r.get(1))) {
                chains.add(r.get(1));
            }
        }
        for (List<String> r : rules) {
            if (r.size() < 2 || !r.get(0).equals("-A") || r.get(1).startsWith(CHAIN_PREFIX)) {
                continue;
            }
            String target = valueAfter(r, "-j");
            String comment = valueAfter(r, "--comment");
            if ((target != null && chains.contains(target)) || (comment != null && commentSelected.test(comment))) {
                List<String> delete = new ArrayList<>(r);
                delete.set(0, "-D");
                tryRun(family, delete);
            }
        }
        for (String chain : chains) {
            tryRun(family, List.of("-F", chain));
            tryRun(family, List.of("-X", chain));
        }
    }

    private static String valueAfter(List<String> words, String option) {
        int i = words.indexOf(option);
        return i >= 0 && i + 1 < words.size() ? words.get(i + 1) : null;
    }

    /** Splits an {@code iptables -S} line into words, honouring double quotes and backslash escapes. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                any = true;
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
