package io.chaosproxy.engine;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The part of a toxic stage's context that acts on its connection, shared by the stream flows' stages
 * ({@link DirectionFlow}) and the TLS reader's ({@link TlsHandshake}): once the toxic is removed, its timers and
 * late callbacks do nothing, so a removed toxic never resets, closes or runs anything again.
 */
abstract class RemovableStage {
    final Connection connection;
    boolean removed;

    RemovableStage(Connection connection) {
        this.connection = connection;
    }

    public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
        return connection.eventLoop().schedule(() -> {
            if (!removed) {
                task.run();
            }
        }, delay, unit);
    }

    public void resetConnection() {
        if (!removed) {
            connection.resetByToxic();
        }
    }

    public void closeConnection() {
        if (!removed) {
            connection.closeByToxic();
        }
    }

    public long nanoTime() {
        return System.nanoTime();
    }
}
