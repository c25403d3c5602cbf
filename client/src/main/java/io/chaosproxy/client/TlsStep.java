package io.chaosproxy.client;

import java.util.Locale;

/** Where {@code tls_reset_after} resets both sides. */
public enum TlsStep {
    /** When the ClientHello arrives: the server never gets it. */
    CLIENT_HELLO,
    /** When the ServerHello arrives: the client never gets it. */
    SERVER_HELLO,
    /** When the client answers the server's whole flight (its key exchange or Finished is dropped). */
    SERVER_FLIGHT;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
