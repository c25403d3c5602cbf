package io.chaosproxy.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/** Sends a FIN on one leg (shutdown of its output) once everything written to it is on the wire. */
final class HalfClose {
    private HalfClose() {
    }

    /**
     * Shuts the channel's output. Call only when nothing is queued on it. On the native transports this is the
     * socket's own shutdown(SHUT_WR): Netty's {@code shutdownOutput()} first builds an exception, stack trace
     * included, to fail queued writes that cannot exist here, and on a new connection per request that showed as
     * 1.5 % of the proxy's CPU. Netty reads the output state from the same socket object, so it stays in step.
     */
    /** Whether every byte written to the channel is on the wire already (then a FIN or a close loses nothing). */
    static boolean nothingQueued(Channel channel) {
        ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        return queued == null || (queued.isEmpty() && queued.totalPendingWriteBytes() == 0);
    }

    static ChannelFuture shutdownOutput(Channel channel) {
        if (channel instanceof UnixChannel && ((UnixChannel) channel).fd() instanceof Socket) {
            try {
                ((Socket) ((UnixChannel) channel).fd()).shutdown(false, true);
                return channel.newSucceededFuture();
            } catch (IOException e) {
                return channel.newFailedFuture(e);
            }
        }
        return ((DuplexChannel) channel).shutdownOutput();
    }
}
