package io.chaosproxy.client;

import java.util.Locale;

/** What {@code fin_drop} does {@code then_ms} after it swallowed a FIN. */
public enum FinThen {
    /** Reset the receiver. */
    RST,
    /** Pass the late FIN on. */
    FIN,
    /** Nothing: the connection stays half-open. */
    NONE;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
