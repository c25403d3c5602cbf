package io.chaosproxy.timeline;

import io.chaosproxy.model.ConnectionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of one connection in order, bounded: past {@link #MAX_EVENTS} the oldest non-first events are counted
 * as dropped, so a connection that lives for days never grows without bound. Written on the connection's event
 * loop, read by the control thread.
 */
public final class Timeline {
    public static final int MAX_EVENTS = 256;

    private final List<ConnectionEvent> events = new ArrayList<>();
    private long dropped;

    public synchronized void add(ConnectionEvent event) {
        if (events.size() >= MAX_EVENTS) {
            // Keep the first events (accept, dial) and the newest: drop the second oldest.
            events.remove(1);
            dropped++;
        }
        events.add(event);
    }

    public synchronized List<ConnectionEvent> snapshot() {
        return List.copyOf(events);
    }

    public synchronized long dropped() {
        return dropped;
    }
}
