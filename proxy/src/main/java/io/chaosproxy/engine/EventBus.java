package io.chaosproxy.engine;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Publishes each event once to every listener (metrics, timelines, live feeds). */
public final class EventBus {
    private final List<EventListener> listeners = new CopyOnWriteArrayList<>();

    public void subscribe(EventListener listener) {
        listeners.add(listener);
    }

    public void unsubscribe(EventListener listener) {
        listeners.remove(listener);
    }

    public void publish(ConnectionEvent event) {
        for (EventListener l : listeners) {
            l.onEvent(event);
        }
    }
}
