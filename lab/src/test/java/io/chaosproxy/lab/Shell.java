package io.chaosproxy.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command with a time limit and collects its output (stdout and stderr together). */
final class Shell {
    record Result(int exitCode, String output, List<String> command) {
        boolean ok() {
            return exitCode == 0;
        }

        Result orThrow() {
            if (!ok()) {
                throw new AssertionError(String.join(" ", command) + " exited with " + exitCode + ":\n" + tail());
            }
            return this;
        }

        String tail() {
            return output.length() > 6000 ? "..." + output.substring(output.length() - 6000) : output;
        }
    }

    private final Path dir;
    private final Map<String, String> env;

    Shell(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** The command's result; exit code -1 (and the process killed) when it outlives {@code limit}. */
    Result run(Duration limit, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-2, e.toString(), command);
        }
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing to send anyway
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "shell-output");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                reader.join(2000);
                return new Result(-1, text(out) + "\n[killed after " + limit.toSeconds() + " s]", command);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            return new Result(-1, text(out) + "\n[interrupted]", command);
        }
        return new Result(p.exitValue(), text(out), command);
    }

    Result run(Duration limit, String... command) {
        return run(limit, List.of(command));
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("Stream closed")) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String text(ByteArrayOutputStream out) {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
