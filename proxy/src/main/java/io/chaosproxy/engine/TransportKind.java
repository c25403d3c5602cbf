package io.chaosproxy.engine;

import java.util.Locale;

/**
 * Which I/O transport the engine runs on. {@link #AUTO} takes native epoll where it loads, else Java NIO.
 * {@link #IO_URING} is opt-in: it costs about a tenth less CPU per new connection here, but Netty's io_uring
 * transport (4.2.18) leaked a read buffer once in our control API tests when proxies were deleted with connections
 * open, and a leak fails our build; it is also often unavailable in containers (Docker 25 and later forbid it in
 * their default seccomp profile).
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
