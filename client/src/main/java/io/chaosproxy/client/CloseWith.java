package io.chaosproxy.client;

import java.util.Locale;

/** How {@code tls_cut_flight} and {@code tls_close_after_handshake} end the connection. */
public enum CloseWith {
    /** An EOF to the client (its handshake: "Remote host terminated the handshake"). */
    FIN,
    /** A reset to both sides ("Connection reset"). */
    RST;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
