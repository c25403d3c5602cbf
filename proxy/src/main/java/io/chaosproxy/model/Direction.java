package io.chaosproxy.model;

import java.util.Locale;
import java.util.Optional;

/** The direction bytes travel: upstream is client to server, downstream is server to client. */
public enum Direction {
    UPSTREAM,
    DOWNSTREAM;

    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Direction> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Direction d : values()) {
            if (d.jsonName().equalsIgnoreCase(text.trim())) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
