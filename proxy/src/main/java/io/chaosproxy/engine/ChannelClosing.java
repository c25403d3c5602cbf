package io.chaosproxy.engine;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.util.concurrent.TimeUnit;

/** How a leg's channel is closed at the end of a connection: with a FIN, or with an RST (SO_LINGER 0). */
final class ChannelClosing {
    /** A receiver that does not read must not postpone a toxic's RST for ever. */
    private static final long FLUSH_BEFORE_RESET_LIMIT_MILLIS = 500;

    private ChannelClosing() {
    }

    /**
     * Closes {@code channel}. {@code abortive} sends RST instead of FIN; {@code flushFirst} writes what is queued
     * before the RST (a toxic's reset lets through the bytes it passed, as a real peer's would).
     */
    static void close(Channel channel, boolean abortive, boolean flushFirst) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        if (abortive && flushFirst) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> abort(channel));
            channel.eventLoop().schedule(() -> abort(channel), FLUSH_BEFORE_RESET_LIMIT_MILLIS,
                    TimeUnit.MILLISECONDS);
        } else if (abortive) {
            abort(channel);
        } else if (HalfClose.nothingQueued(channel)) {
            channel.close();
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes with an RST (SO_LINGER 0) rather than a FIN. */
    static void abort(Channel channel) {
        if (channel.isActive()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }
}
