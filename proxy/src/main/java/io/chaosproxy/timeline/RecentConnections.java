package io.chaosproxy.timeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The most recently closed connections of one proxy, oldest dropped first. Each is kept as a recipe for its
 * summary: most closed connections are never looked at, so their summary is only built when the API asks.
 */
public final class RecentConnections {
    private final int capacity;
    private final ArrayDeque<Supplier<ConnectionSummary>> closed = new ArrayDeque<>();

    public RecentConnections(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(Supplier<ConnectionSummary> summary) {
        if (capacity <= 0) {
            return;
        }
        if (closed.size() >= capacity) {
            closed.pollFirst();
        }
        closed.addLast(summary);
    }

    public synchronized List<ConnectionSummary> snapshot() {
        List<ConnectionSummary> out = new ArrayList<>(closed.size());
        closed.forEach(summary -> out.add(summary.get()));
        return out;
    }

    public synchronized void clear() {
        closed.clear();
    }
}
