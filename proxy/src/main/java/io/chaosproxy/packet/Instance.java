package io.chaosproxy.packet;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One running packet engine, identified by its process id: its chains are named {@code CHAOS-<id>-...}, its rules'
 * comments start {@code chaos-proxy:<id>:}, and its dialled sockets carry a mark derived from the id. Start-up
 * clean-up removes only the rules of instances whose process is gone, so two chaos-proxies in one network namespace
 * leave each other's rules alone. (Two instances in separate PID namespaces sharing a network namespace could have
 * the same id; run them with a shared PID namespace.)
 */
record Instance(long id) {
    /** The upper 16 bits of every socket mark of ours ("CP"); distinct from {@link RulePlan#REJECT_MARK}'s. */
    private static final int MARK_BASE = 0x43500000;

    static Instance current() {
        return new Instance(ProcessHandle.current().pid());
    }

    /** The SO_MARK of this instance's dialled sockets; never 0. */
    int socketMark() {
        return MARK_BASE | (int) (id & 0xffff) | (id == 0 ? 1 : 0);
    }

    String markText() {
        return "0x" + Integer.toHexString(socketMark()) + "/0xffffffff";
    }

    /** Whether the instance that owns a chain or comment with this id still runs (its process exists). */
    static boolean running(long id) {
        return Files.exists(Path.of("/proc", Long.toString(id)));
    }

    /**
     * The instance id in one of our chain names ({@code CHAOS-<id>-<hash>}) or comments ({@code chaos-proxy:<id>:...}),
     * or -1 when it has none (rules of versions before instance ids, or not ours).
     */
    static long idIn(String chainOrComment, String prefix) {
        if (!chainOrComment.startsWith(prefix)) {
            return -1;
        }
        int start = prefix.length();
        int end = start;
        while (end < chainOrComment.length() && Character.isDigit(chainOrComment.charAt(end))
                && chainOrComment.charAt(end) < 128) {
            end++;
        }
        if (end == start || end - start > 10 || end >= chainOrComment.length()) {
            return -1;
        }
        char separator = chainOrComment.charAt(end);
        return separator == '-' || separator == ':' ? Long.parseLong(chainOrComment.substring(start, end)) : -1;
    }
}
