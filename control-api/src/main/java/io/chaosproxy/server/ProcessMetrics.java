package io.chaosproxy.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.concurrent.CompletableFuture;

/**
 * The JVM's and the process's meters (memory, GC, threads, CPU, descriptors, uptime), bound on a thread of their
 * own once the API listens: they load the JDK's management beans, which took 120-230 ms of the start-up on this
 * 2-core machine, and no first API call needs them. Whoever reads the registry ({@code GET /metrics},
 * {@link ChaosProxyServer#meters()}) waits for the binding first, so no scrape ever lacks them. Started after the
 * server's own meters are registered, so the two threads do not initialise Micrometer's classes at once.
 */
final class ProcessMetrics implements AutoCloseable {
    private final CompletableFuture<JvmGcMetrics> bound = new CompletableFuture<>();
    private volatile boolean started;

    /** Starts binding the meters to {@code meters} on a daemon thread and returns at once. */
    void bindInBackground(MeterRegistry meters) {
        started = true;
        Thread t = new Thread(() -> bind(meters), "chaos-process-metrics");
        t.setDaemon(true);
        t.start();
    }

    private void bind(MeterRegistry meters) {
        try {
            new ClassLoaderMetrics().bindTo(meters);
            new JvmMemoryMetrics().bindTo(meters);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            new UptimeMetrics().bindTo(meters);
            new FileDescriptorMetrics().bindTo(meters);
            new AllocationMetrics().bindTo(meters);
            bound.complete(gc);
        } catch (RuntimeException | Error e) {
            bound.completeExceptionally(e);
        }
    }

    /** Returns once the meters are bound; a failure to bind them is thrown here, to the reader. */
    void awaitBound() {
        bound.join();
    }

    /** Waits for the binding, if it was started, then stops the GC listener. */
    @Override
    public void close() {
        if (!started) {
            return;
        }
        JvmGcMetrics gc = bound.exceptionally(e -> null).join();
        if (gc != null) {
            gc.close();
        }
    }
}
