package io.chaosproxy.model;

import java.util.Locale;

/** One side of a proxied connection: the client's socket to the proxy, or the proxy's socket to the server. */
public enum Leg {
    CLIENT,
    SERVER;

    private final String label = name().toLowerCase(Locale.ROOT);

    public Leg other() {
        return this == CLIENT ? SERVER : CLIENT;
    }

    public String label() {
        return label;
    }
}
