package io.chaosproxy.scenario;

import io.chaosproxy.scenario.ScenarioRecord.ClientRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A user's own client command ({@code curl -s http://{host}:{port}/}), run by {@code sh -c}, output kept. */
final class ExternalClient {
    private static final int MAX_OUTPUT = 4096;

    private ExternalClient() {
    }

    static ClientRecord run(String template, String host, int port, long timeoutMillis, StepLog log,
            Runnable onExit) {
        String command = template.replace("{host}", host).replace("{port}", String.valueOf(port));
        log.add("started: sh -c '" + command + "'");
        double start = log.now();
        Map<String, Object> timeouts = new LinkedHashMap<>();
        timeouts.put("command_timeout_ms", timeoutMillis);
        try {
            Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> copy(p.getInputStream(), out), "scenario-client-output");
            reader.setDaemon(true);
            reader.start();
            boolean exited = p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS);
            if (!exited) {
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
            }
            reader.join(1000);
            double took = log.now() - start;
            onExit.run();
            String output;
            synchronized (out) {
                output = out.toString(StandardCharsets.UTF_8);
            }
            if (output.length() > MAX_OUTPUT) {
                output = output.substring(0, MAX_OUTPUT) + "\n[... cut at " + MAX_OUTPUT + " characters]";
            }
            Integer status = exited ? p.exitValue() : null;
            String saw = exited ? "exit status " + status : "killed after " + timeoutMillis + " ms (no exit)";
            log.add(saw);
            return new ClientRecord("command", exited && status == 0 ? "ok" : "exit", null, null, saw, null,
                    ClientIo.round(took), 0, output.length(), timeouts, log.steps(), command, status, output);
        } catch (IOException e) {
            onExit.run();
            log.add("could not start: " + StepLog.describe(e));
            return new ClientRecord("command", "exception", e.getClass().getSimpleName(), e.getMessage(),
                    StepLog.describe(e), null, ClientIo.round(log.now() - start), 0, 0, timeouts, log.steps(),
                    command, null, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the client command ran", e);
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    if (out.size() < MAX_OUTPUT * 2) {
                        out.write(buf, 0, n);
                    }
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
