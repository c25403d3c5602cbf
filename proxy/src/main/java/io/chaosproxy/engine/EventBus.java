package io.chaosproxy.engine;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventListener;
import java.util.Arrays;

/**
 * Publishes each event once to every listener (metrics, timelines, live feeds). Listeners change rarely and events
 * come several per connection, so publishing reads a plain array (a copy-on-write list's iterator was an object per
 * event).
 */
public final class EventBus {
    private volatile EventListener[] listeners = new EventListener[0];

    public synchronized void subscribe(EventListener listener) {
        EventListener[] now = Arrays.copyOf(listeners, listeners.length + 1);
        now[now.length - 1] = listener;
        listeners = now;
    }

    public synchronized void unsubscribe(EventListener listener) {
        EventListener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                EventListener[] fewer = new EventListener[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                listeners = fewer;
                return;
            }
        }
    }

    public void publish(ConnectionEvent event) {
        for (EventListener l : listeners) {
            l.onEvent(event);
        }
    }
}
