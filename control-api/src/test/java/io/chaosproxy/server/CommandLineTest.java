package io.chaosproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
