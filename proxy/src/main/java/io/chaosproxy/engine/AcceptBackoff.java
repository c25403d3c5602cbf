package io.chaosproxy.engine;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * What a listener does when accepting fails (typically EMFILE: out of file descriptors): it pauses accepting for a
 * second instead of spinning on an error the next accept would hit again at once, then resumes by itself. The log
 * says so at most once per {@link #LOG_INTERVAL_SECONDS}, with how many more failures there were meanwhile: out of
 * descriptors, every listener fails every second, and a line each would flood the log. One per kind of listener
 * (the proxies share one), thread-safe.
 *
 * <p>Listeners using it run with auto-read off and ask for each next batch of accepts themselves
 * ({@link #readMore}): on io_uring, turning auto-read off after a failed accept does not stop the transport from
 * submitting the next accept, which then fails at once, hundreds of thousands of times a second.
 */
public final class AcceptBackoff {
    static final long PAUSE_MILLIS = 1000;
    static final long LOG_INTERVAL_SECONDS = 10;
    private static final System.Logger LOG = System.getLogger(AcceptBackoff.class.getName());

    private final String listeners;
    private long lastLogNanos;
    private boolean loggedOnce;
    private long unreported;

    /** @param listeners what the log calls the listeners, e.g. "proxy listeners", "the control API" */
    public AcceptBackoff(String listeners) {
        this.listeners = listeners;
    }

    /** One listening channel's state: whether it is paused. Event-loop confined. */
    public static final class Listener {
        private boolean paused;

        /** Call from channelActive and channelReadComplete: asks for the next accepts unless paused. */
        public void readMore(ChannelHandlerContext ctx) {
            if (!paused) {
                ctx.read();
            }
        }
    }

    /** Accepting on a listener failed: pause it for a second (once per failure burst), then resume; maybe log. */
    public void acceptFailed(ChannelHandlerContext ctx, Listener listener, Throwable cause) {
        if (!listener.paused) {
            listener.paused = true;
            ctx.channel().eventLoop().schedule(() -> {
                listener.paused = false;
                listener.readMore(ctx);
            }, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        }
        String line = logLine(cause, System.nanoTime());
        if (line != null) {
            LOG.log(System.Logger.Level.WARNING, line);
        }
    }

    /** The line to log now, or null within the interval since the last one (then the failure is counted). */
    synchronized String logLine(Throwable cause, long now) {
        if (loggedOnce && now - lastLogNanos < TimeUnit.SECONDS.toNanos(LOG_INTERVAL_SECONDS)) {
            unreported++;
            return null;
        }
        String line = "accepting connections on " + listeners + " failed (" + cause.getMessage() + "): pausing "
                + "accepts for " + PAUSE_MILLIS + " ms and retrying; " + unreported + " more such failures since the "
                + "last message (at most one message per " + LOG_INTERVAL_SECONDS + " s)";
        loggedOnce = true;
        lastLogNanos = now;
        unreported = 0;
        return line;
    }
}
