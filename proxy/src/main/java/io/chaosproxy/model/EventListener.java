package io.chaosproxy.model;

/** Receives every connection event. Called on the connection's event loop: never block here. */
@FunctionalInterface
public interface EventListener {
    void onEvent(ConnectionEvent event);
}
