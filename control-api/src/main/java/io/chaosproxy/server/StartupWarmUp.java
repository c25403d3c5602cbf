package io.chaosproxy.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.ProxyEngine;
import io.chaosproxy.engine.Transport;
import io.chaosproxy.engine.TransportKind;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Start-up work that does not depend on the command line, done on a second thread while the main thread parses
 * it (picocli: 80-300 ms here): Netty's platform probing, native transport library and buffer allocator, then
 * Jackson (the first API answer is JSON), then the engine's error paths. Each user of that work waits for it
 * before touching the same classes ({@link #awaitNetty()}, {@link #awaitJson()}, and the engine's warm-up is
 * synchronized), so two threads never initialise one library's classes at once (a class-initialisation cycle
 * across threads would deadlock). Saves the main thread that time on a machine with a second core; with one core
 * it costs nothing but a thread.
 */
final class StartupWarmUp {
    private static final CompletableFuture<Void> NETTY = new CompletableFuture<>();
    private static final CompletableFuture<Void> JSON = new CompletableFuture<>();
    private static volatile boolean started;

    private StartupWarmUp() {
    }

    /**
     * Starts the warm-up thread (once per process). {@code args} only say whether the user chose a transport
     * ({@code --transport}, {@code --nio}): then no native transport is probed ahead of the choice.
     */
    static synchronized void startInBackground(String[] args) {
        if (started) {
            return;
        }
        started = true;
        boolean probeTransport = Arrays.stream(args).noneMatch(a -> a.equals("--nio") || a.startsWith("--transport"));
        Thread t = new Thread(() -> run(probeTransport), "chaos-start-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void run(boolean probeTransport) {
        try {
            warmUpNetty(probeTransport);
        } catch (RuntimeException | LinkageError e) {
            // Only a head start: the main thread does the same work itself and reports any real failure.
        } finally {
            NETTY.complete(null);
        }
        try {
            warmUpJson();
        } catch (RuntimeException | LinkageError | java.io.IOException e) {
            // Only a head start: the main thread does the same work itself and reports any real failure.
        } finally {
            JSON.complete(null);
        }
        try {
            ProxyEngine.warmUpErrorPaths();
        } catch (RuntimeException | LinkageError e) {
            // The engine runs the same warm-up when it is created, and fails there if it must.
        }
    }

    /**
     * The native transport {@code --transport auto} picks (as {@link Transport#create} probes it: io_uring, else
     * epoll; loading its library from the jar), unless the user named one, and the default buffer allocator, which
     * the metrics bind first.
     */
    private static void warmUpNetty(boolean probeTransport) {
        if (probeTransport && Transport.unavailabilityCause(TransportKind.IO_URING) != null) {
            Transport.unavailabilityCause(TransportKind.EPOLL);
        }
        ByteBufAllocator.DEFAULT.buffer(16).release();
    }

    /** What the API's first JSON answer and first JSON body use: a mapper, a tree, a map written. */
    private static void warmUpJson() throws java.io.IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode tree = mapper.readTree("{\"name\":\"warm-up\",\"listen\":\"127.0.0.1:0\",\"enabled\":true}");
        mapper.writeValueAsBytes(Map.of("version", "warm-up", "tree", tree));
    }

    /** Waits until the warm-up has finished with Netty, if it was started; returns at once otherwise. */
    static void awaitNetty() {
        if (started) {
            NETTY.join();
        }
    }

    /** Waits until the warm-up has finished with Jackson, if it was started; returns at once otherwise. */
    static void awaitJson() {
        if (started) {
            JSON.join();
        }
    }
}
