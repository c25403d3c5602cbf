package io.chaosproxy.engine;

import java.util.Locale;

/**
 * Which I/O transport the engine runs on. {@link #AUTO} takes the first this machine allows: io_uring (accept,
 * connect, reads, writes and closes go through the ring: about a tenth less CPU per new connection than epoll
 * here), then epoll, then Java NIO. Containers often cannot use io_uring (Docker 25 and later forbid it in their
 * default seccomp profile) and get epoll.
 */
public enum TransportKind {
    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    /** The name used on the command line and in messages: {@code auto}, {@code io_uring}, {@code epoll}, {@code nio}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #label()}; throws IllegalArgumentException listing the accepted names. */
    public static TransportKind parse(String text) {
        for (TransportKind kind : values()) {
            if (kind.label().equalsIgnoreCase(text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + text + "' (use auto, io_uring, epoll or nio)");
    }
}
