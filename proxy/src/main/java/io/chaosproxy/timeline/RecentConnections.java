package io.chaosproxy.timeline;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The most recently closed connections of one proxy, oldest dropped first. */
public final class RecentConnections {
    private final int capacity;
    private final ArrayDeque<ConnectionSummary> closed = new ArrayDeque<>();

    public RecentConnections(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(ConnectionSummary summary) {
        if (capacity <= 0) {
            return;
        }
        if (closed.size() >= capacity) {
            closed.pollFirst();
        }
        closed.addLast(summary);
    }

    public synchronized List<ConnectionSummary> snapshot() {
        return new ArrayList<>(closed);
    }

    public synchronized void clear() {
        closed.clear();
    }
}
