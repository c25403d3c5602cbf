package io.chaosproxy.model;

/** The stage of a TCP connection's life a toxic type acts on. */
public enum Phase {
    /** Before the proxy has an upstream connection: accept and dial. */
    CONNECT,
    /**
     * The TLS handshake, read from the plaintext record headers and hellos on the stream (nothing is decrypted):
     * after the dial, before application data.
     */
    TLS,
    /** While bytes flow both ways. */
    ESTABLISHED,
    /** When a side half-closes or closes. */
    TEARDOWN;

    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
