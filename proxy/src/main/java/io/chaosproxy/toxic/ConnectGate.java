package io.chaosproxy.toxic;

/**
 * The behaviour of a connect-phase toxic on one accepted client, before the proxy dials its upstream. It must give
 * exactly one verdict through {@link DialControl}, at once or later from a timer.
 */
public interface ConnectGate {
    void beforeDial(DialControl control);

    /** Called if the connection ends while this gate holds it (the client gave up): cancel timers. */
    default void onClose() {
    }
}
