package io.chaosproxy.scenario;

import java.util.Locale;

/** The stage of a connection's life a scenario breaks. */
public enum Stage {
    /** The 3-way handshake between the client and the proxy (SYN, SYN-ACK, ACK). */
    HANDSHAKE,
    /** The proxy's own connection to the server (its dial). */
    UPSTREAM,
    /** The TLS handshake through the proxy (the proxy reads its plaintext records; it decrypts nothing). */
    TLS,
    /** Both connections are up and bytes flow. */
    ESTABLISHED,
    /** One side closes (FIN or RST). */
    TEARDOWN;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
