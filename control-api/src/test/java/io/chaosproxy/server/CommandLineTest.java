package io.chaosproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags as a user types them: bad ones get a message naming the flag and a non-zero exit, never a stack trace. */
class CommandLineTest {
    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void leakDetectionIsOffOnlyWhenTheUserSetNoLevel() {
        assertThat(Main.leakDetectionAsked(null, null)).isFalse();
        assertThat(Main.leakDetectionAsked("simple", null)).isTrue();
        assertThat(Main.leakDetectionAsked(null, "advanced")).isTrue();
        // This JVM runs with -Dio.netty.leakDetection.level=paranoid: the server must leave that level alone.
        Main.leakDetectionOffUnlessAsked();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    }

    /** As {@code java -jar} runs it ({@link Main#execute}), standard output and error captured. */
    private static Run runAsMain(String... args) {
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new java.io.PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void theServersShortWayAnswersHelpCommandsAndMistakesAsTheWholeCommandLine() {
        for (String[] args : new String[][] {{"--help"}, {"--version"}, {"scenario", "list"}, {"--bogus"},
                {"--port"}, {"--port", "70000"}, {"--keep-closed", "-1"}, {"--api-token", " "}}) {
            Run whole = run(args);
            Run asMain = runAsMain(args);
            assertThat(asMain).as(String.join(" ", args)).isEqualTo(whole);
        }
        assertThat(runAsMain("--help").out()).contains("Commands:", "scenario");
        assertThat(runAsMain("--port", "70000").err()).contains("--port must be between 0 and 65535", "Commands:");
    }

    @Test
    void theServersShortWayStartsTheServer() {
        Run r = runAsMain("--cds-training", "--no-packet-engine");
        assertThat(r.err()).doesNotContain("--cds-training"); // (a test library may warn about SLF4J here)
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--cds-training: done;");
    }

    @Test
    void nettyJfrEventsAreOffOnlyWhenTheUserSetNothing() {
        String before = System.getProperty(Main.NETTY_JFR);
        try {
            System.setProperty(Main.NETTY_JFR, "true");
            Main.nettyJfrEventsOffUnlessAsked();
            assertThat(System.getProperty(Main.NETTY_JFR)).isEqualTo("true");
            System.clearProperty(Main.NETTY_JFR);
            Main.nettyJfrEventsOffUnlessAsked();
            assertThat(System.getProperty(Main.NETTY_JFR)).isEqualTo("false");
        } finally {
            if (before == null) {
                System.clearProperty(Main.NETTY_JFR);
            } else {
                System.setProperty(Main.NETTY_JFR, before);
            }
        }
    }

    @Test
    void cdsTrainingExercisesTheApiAndAProxyThenExits() {
        Run r = run("--cds-training", "--no-packet-engine", "--port", "1");
        assertThat(r.err()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--cds-training: done;");
    }

    @Test
    void helpListsEveryFlag() {
        Run r = run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--host", "--port", "--config", "--demo", "--version", "--seed",
                "--connect-timeout", "--transport");
    }

    @Test
    void versionPrintsTheVersion() {
        Run r = run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("chaos-proxy ");
    }

    @Test
    void unknownFlagIsNamed() {
        Run r = run("--bogus");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--bogus");
    }

    @Test
    void nonNumericPortIsNamed() {
        Run r = run("--port", "abc");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--port").doesNotContain("\tat ");
    }

    @Test
    void unknownTransportIsNamedWithTheChoices() {
        Run r = run("--transport", "dpdk");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--transport").contains("unknown transport 'dpdk'")
                .contains("auto, io_uring, epoll or nio").doesNotContain("\tat ");
    }

    @Test
    void nioAndAnotherTransportContradict() {
        Run r = run("--nio", "--transport", "epoll");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--nio and --transport epoll contradict each other");
    }

    @Test
    void outOfRangePortIsNamed() {
        Run r = run("--port", "70000");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--port must be between 0 and 65535");
    }

    @Test
    void apiLimitsOutOfRangeAreNamed() {
        Run r = run("--api-max-connections", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--api-max-connections must be between 1 and 65536");
        r = run("--api-max-connections", "10", "--api-max-event-streams", "11");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--api-max-event-streams must be between 0 and --api-max-connections (10)");
    }

    @Test
    void tcpInfoSamplingOutOfRangeIsNamed() {
        Run r = run("--tcp-info-sample-every", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--tcp-info-sample-every must be between 1 and 1000000");
    }

    @Test
    void ioThreadsOutOfRangeAreNamed() {
        Run r = run("--io-threads", "-1");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--io-threads must be between 0 (one per core) and 1024, got -1");
        r = run("--io-threads", "many");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--io-threads").contains("many");
    }

    @Test
    void badConfigFileIsRejectedNamingTheFileAndField(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("proxies.json");
        Files.writeString(config, "[{\"name\":\"pg\",\"listen\":\"127.0.0.1:0\"}]");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Run r = run("--port", "0", "--config", config.toString());
            assertThat(r.exitCode()).isEqualTo(2);
        } finally {
            System.setErr(old);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config", "proxies.json", "[0].upstream");
    }

    @Test
    void helpListsTheProtectionFlags() {
        assertThat(run("--help").out()).contains("--allowed-hosts", "--api-token", "--metrics-without-token",
                "--allow-listen", "--allow-upstream", "CHAOS_PROXY_API_TOKEN");
    }

    @Test
    void badAllowListsAndHostsAreNamed() {
        Run listen = run("--allow-listen", "127.0.0.0/8,localhost");
        assertThat(listen.exitCode()).isEqualTo(2);
        assertThat(listen.err()).contains("--allow-listen", "\"localhost\"").doesNotContain("\tat ");
        Run upstream = run("--allow-upstream", "10.0.0.0/40");
        assertThat(upstream.exitCode()).isEqualTo(2);
        assertThat(upstream.err()).contains("--allow-upstream", "10.0.0.0/40");
        Run hosts = run("--allowed-hosts", "https://chaos.example");
        assertThat(hosts.exitCode()).isEqualTo(2);
        assertThat(hosts.err()).contains("--allowed-hosts", "https://chaos.example");
    }

    /** The token comes from the flag or the variable; both differing, or an empty flag, is an error naming them. */
    @Test
    void theTokenFromTheFlagOrTheVariable() {
        assertThat(options().toApiSecurity(Main.commandLine(), Map.of()).apiToken()).isNull();
        assertThat(options().toApiSecurity(Main.commandLine(), Map.of("CHAOS_PROXY_API_TOKEN", "")).apiToken())
                .as("set but empty, as compose passes an unset variable on").isNull();
        assertThat(options().toApiSecurity(Main.commandLine(), Map.of("CHAOS_PROXY_API_TOKEN", "from-env"))
                .apiToken()).isEqualTo("from-env");
        ApiSecurityOptions flag = options();
        flag.apiToken = "from-flag";
        assertThat(flag.toApiSecurity(Main.commandLine(), Map.of()).apiToken()).isEqualTo("from-flag");
        assertThat(flag.toApiSecurity(Main.commandLine(), Map.of("CHAOS_PROXY_API_TOKEN", "from-flag")).apiToken())
                .isEqualTo("from-flag");
        assertThatThrownBy(() -> flag.toApiSecurity(Main.commandLine(), Map.of("CHAOS_PROXY_API_TOKEN", "other")))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--api-token and CHAOS_PROXY_API_TOKEN").hasMessageNotContaining("other");
        ApiSecurityOptions blank = options();
        blank.apiToken = " ";
        assertThatThrownBy(() -> blank.toApiSecurity(Main.commandLine(), Map.of()))
                .hasMessageContaining("--api-token must not be empty");
        assertThat(options().toApiSecurity(Main.commandLine(), Map.of("CHAOS_PROXY_ALLOWED_HOSTS", "a.svc,b.svc"))
                .allowedHosts().toString()).isEqualTo("a.svc,b.svc");
    }

    private static ApiSecurityOptions options() {
        return new ApiSecurityOptions();
    }
}
