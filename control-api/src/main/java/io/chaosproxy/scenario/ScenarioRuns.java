package io.chaosproxy.scenario;

import io.chaosproxy.api.ApiException;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where scenario runs asked for over the API execute: on a thread of their own, never on the API's control thread,
 * which a run would hold for seconds while every other call waited. One run at a time, because a run measures
 * timings (a connect within 900-1600 ms, ...) that runs side by side on one host would skew. A few may wait in
 * line; beyond that the API answers 503 at once instead of queueing work whose client may have given up.
 */
public final class ScenarioRuns implements AutoCloseable {
    /** Runs that may wait behind the running one. */
    public static final int DEFAULT_WAITING = 4;

    private final int waiting;
    private final ThreadPoolExecutor executor;

    public ScenarioRuns() {
        this(DEFAULT_WAITING);
    }

    ScenarioRuns(int waiting) {
        this.waiting = waiting;
        // Daemon threads, like the control thread: a run in progress must not keep the JVM from exiting.
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(waiting),
                new DefaultThreadFactory("chaos-scenario", true), new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Queues a run; its result completes the returned future on the run's thread.
     *
     * @throws ApiException 503 when the line is full or the server is closing
     */
    <T> CompletableFuture<T> submit(Supplier<T> run) {
        try {
            return CompletableFuture.supplyAsync(run, executor);
        } catch (RejectedExecutionException full) {
            throw new ApiException(503, executor.isShutdown() ? "shutting down"
                    : "scenario runs busy: one is running and " + waiting + " are waiting; try again later");
        }
    }

    /**
     * Drops the runs still waiting (the API's connections are closed first, so nobody waits for their answers) and
     * gives the running one a few seconds to finish before the registry it uses is closed.
     */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
