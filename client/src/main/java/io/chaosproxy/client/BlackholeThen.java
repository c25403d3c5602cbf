package io.chaosproxy.client;

import java.util.Locale;

/** What {@code upstream_blackhole} does to the client once its {@code timeout} is over. */
public enum BlackholeThen {
    /** A reset. */
    RST,
    /** An EOF. */
    FIN,
    /** Silence forever (until the toxic is removed or the client gives up). */
    HOLD;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
