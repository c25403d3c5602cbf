package io.chaosproxy.scenario;

import io.chaosproxy.scenario.ScenarioRecord.CheckResult;
import io.chaosproxy.scenario.ScenarioRecord.ClientRecord;
import io.chaosproxy.scenario.ScenarioRecord.SocketEntry;
import io.chaosproxy.scenario.ScenarioRecord.SocketSnapshot;
import io.chaosproxy.scenario.ScenarioRecord.Step;
import java.util.List;
import java.util.Objects;

/** What a scenario states, as checks of its record: each says what it expected and what was observed. */
final class Checks {
    private Checks() {
    }

    @FunctionalInterface
    interface Check {
        CheckResult apply(ScenarioRecord r);
    }

    static Check clientOk() {
        return r -> result("the client's exchange succeeds", "ok".equals(r.client().outcome()), r.client().saw());
    }

    static Check clientEof() {
        return r -> result("the client reads EOF (no exception) before the whole answer",
                "eof".equals(r.client().outcome()), r.client().saw());
    }

    /** The client's outcome is this exception class with a message containing one of {@code messages}. */
    static Check clientException(String simpleClass, String... messages) {
        return r -> {
            ClientRecord c = r.client();
            boolean held = simpleClass.equals(c.exceptionClass()) && c.message() != null
                    && List.of(messages).stream().anyMatch(m -> c.message().contains(m));
            return result("the client gets " + simpleClass + " (" + String.join(" or ", messages) + ")", held,
                    c.saw());
        };
    }

    static Check connectBetween(double lo, double hi) {
        return r -> {
            Double ms = r.client().connectMillis();
            return result("connect() takes " + range(lo, hi), ms != null && ms >= lo && ms <= hi,
                    ms == null ? "connect() failed" : ClientIo.fmt(ms) + " ms");
        };
    }

    static Check totalBetween(double lo, double hi) {
        return r -> result("the client's outcome comes after " + range(lo, hi),
                r.client().totalMillis() >= lo && r.client().totalMillis() <= hi,
                ClientIo.fmt(r.client().totalMillis()) + " ms");
    }

    static Check receivedBetween(long lo, long hi) {
        return r -> result("the client receives " + lo + (lo == hi ? "" : " to " + hi) + " bytes",
                r.client().bytesReceived() >= lo && r.client().bytesReceived() <= hi,
                r.client().bytesReceived() + " bytes");
    }

    /** A step of the client containing {@code text} happens within {@code lo..hi} ms. */
    static Check clientStepAt(String text, double lo, double hi) {
        return r -> stepAt("the client's '" + text + "'", r.client().steps(), text, lo, hi);
    }

    static Check serverStepAt(String text, double lo, double hi) {
        return r -> stepAt("the server's '" + text + "'", r.server().steps(), text, lo, hi);
    }

    static Check serverStep(String text) {
        return r -> {
            Step s = find(r.server().steps(), text);
            return result("the server's " + text, s != null, s == null ? r.server().saw() : s.what());
        };
    }

    static Check serverAccepted(int n) {
        return r -> result("the server accepts " + n + " connection" + (n == 1 ? "" : "s"),
                r.server().accepted() == n, r.server().accepted() + " accepted");
    }

    /** In the snapshot taken when the client's outcome was known, the socket of {@code role} is in {@code state}. */
    static Check socketState(String role, String state) {
        return socketStateAt("outcome", role, state);
    }

    /** In the first snapshot whose label contains {@code label}, the socket of {@code role} is in {@code state}. */
    static Check socketStateAt(String label, String role, String state) {
        return r -> {
            SocketSnapshot snap = r.sockets().stream().filter(x -> x.label().contains(label)).findFirst()
                    .orElse(null);
            if (snap == null) {
                return result("the " + role + "'s socket is " + state, true,
                        "no socket table here (not Linux), nothing to compare");
            }
            List<SocketEntry> of = snap.entries().stream().filter(e -> e.role().equals(role)).toList();
            return result("the " + role + "'s socket is " + state + " (" + snap.label() + ")",
                    of.stream().anyMatch(e -> e.state().equals(state)), of.isEmpty() ? "no such socket"
                            : String.join(", ", of.stream().map(Checks::describe).toList()));
        };
    }

    /** In the outcome snapshot, the socket of {@code role} holds unread bytes (Recv-Q above 0). */
    static Check unreadBytes(String role) {
        return r -> {
            SocketSnapshot snap = r.sockets().stream().filter(x -> x.label().contains("outcome")).findFirst()
                    .orElse(null);
            if (snap == null) {
                return result("the " + role + "'s socket holds unread bytes", true, "no socket table here");
            }
            List<SocketEntry> of = snap.entries().stream().filter(e -> e.role().equals(role)).toList();
            return result("the " + role + "'s socket holds unread bytes (Recv-Q > 0)",
                    of.stream().anyMatch(e -> e.rxQueue() > 0), of.isEmpty() ? "no such socket"
                            : String.join(", ", of.stream().map(Checks::describe).toList()));
        };
    }

    static String describe(SocketEntry e) {
        return e.state() + " Send-Q " + e.txQueue() + " Recv-Q " + e.rxQueue();
    }

    /** The segment log holds {@code count} segments in {@code direction} with {@code flags} and {@code verdict}. */
    static Check segments(String direction, String flags, String verdict, int count) {
        return r -> {
            long n = r.segments().stream().filter(s -> s.direction().equals(direction) && s.flags().equals(flags)
                    && s.verdict().equals(verdict)).count();
            return result(count + " [" + flags + "] " + direction + " segment" + (count == 1 ? "" : "s") + " "
                    + verdict, n == count, n + " seen");
        };
    }

    /** The proxy's timeline has an event of {@code type} whose detail contains {@code detail}. */
    static Check event(String type, String detail) {
        return r -> {
            boolean held = r.connections().stream().flatMap(c -> c.events().stream())
                    .anyMatch(e -> e.type().equals(type) && (detail == null
                            || Objects.toString(e.detail(), "").contains(detail)));
            return result("the timeline has '" + type + (detail == null ? "" : " " + detail) + "'", held,
                    held ? "present" : "absent");
        };
    }

    private static CheckResult stepAt(String what, List<Step> steps, String text, double lo, double hi) {
        Step s = find(steps, text);
        return result(what + " at " + range(lo, hi), s != null && s.tMillis() >= lo && s.tMillis() <= hi,
                s == null ? "never" : ClientIo.fmt(s.tMillis()) + " ms: " + s.what());
    }

    private static Step find(List<Step> steps, String text) {
        return steps.stream().filter(s -> s.what().contains(text)).findFirst().orElse(null);
    }

    static String range(double lo, double hi) {
        return lo <= 0 ? "under " + ClientIo.fmt(hi) + " ms" : ClientIo.fmt(lo) + " to " + ClientIo.fmt(hi) + " ms";
    }

    static CheckResult result(String expectation, boolean held, String observed) {
        return new CheckResult(expectation, held, observed);
    }
}
