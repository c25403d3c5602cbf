package io.chaosproxy.engine;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what escapes an event-loop thread (a throwable nothing inside Netty caught), so it shows in
 * {@code /metrics} as {@code chaosproxy_event_loop_failures_total} instead of a thread silently gone. Netty catches
 * what a task or handler throws; what reaches here is what its own error handling could not deal with.
 */
public final class LoopFailures {
    private static final AtomicLong COUNT = new AtomicLong();

    private LoopFailures() {
    }

    public static long count() {
        return COUNT.get();
    }

    /** The event loops' thread factory: named threads whose uncaught throwables are counted and printed once. */
    static DefaultThreadFactory threadFactory(String prefix) {
        return new DefaultThreadFactory(prefix, true) {
            @Override
            protected Thread newThread(Runnable r, String name) {
                Thread t = super.newThread(r, name);
                t.setUncaughtExceptionHandler((thread, e) -> {
                    COUNT.incrementAndGet();
                    // Plain stderr: a logger is what failed last time.
                    System.err.println("chaos-proxy: event-loop thread " + thread.getName() + " ended by " + e);
                });
                return t;
            }
        };
    }
}
