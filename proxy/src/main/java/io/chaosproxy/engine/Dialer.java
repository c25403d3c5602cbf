package io.chaosproxy.engine;

import io.chaosproxy.model.DialOutcome;
import io.chaosproxy.model.HostPort;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.net.InetSocketAddress;

/**
 * Opens a connection's server leg: resolve, create the channel, register it on the connection's own loop, connect.
 * No Bootstrap: it would copy its option map into every channel and hop through the loop's task queue before
 * connecting; here the loop is ours already. One per engine; all state of a dial lives in its callbacks.
 */
final class Dialer {
    /** What the dialling connection hears back, on its own event loop. */
    interface Listener {
        /** Whether the connection still wants the dial (false once it has ended: the dial is abandoned). */
        boolean stillWanted();

        /** The channel exists and is about to connect: the connection can address it from now on. */
        void channelCreated(Channel channel);

        void connected(long dialNanos);

        void failed(DialOutcome outcome, long dialNanos);
    }

    /** setsockopt(SOL_SOCKET = 1, SO_MARK = 36): needs CAP_NET_ADMIN, which the packet engine has when it runs. */
    private static final IntegerUnixChannelOption SO_MARK = new IntegerUnixChannelOption("SO_MARK", 1, 36);

    private final ProxyEngine engine;

    Dialer(ProxyEngine engine) {
        this.engine = engine;
    }

    /** Dials {@code target}; {@code known} is its address when already resolved (an IP literal), else null. */
    void dial(HostPort target, InetSocketAddress known, EventLoop loop, ByteBufAllocator alloc, ChannelHandler handler,
            Listener listener) {
        long start = System.nanoTime();
        if (known != null) {
            open(known, loop, alloc, handler, listener, start);
            return;
        }
        engine.resolver().resolve(target, loop).addListener(resolved -> {
            if (!listener.stillWanted()) {
                return;
            }
            if (!resolved.isSuccess()) {
                fail(listener, resolved.cause(), start);
                return;
            }
            open((InetSocketAddress) resolved.getNow(), loop, alloc, handler, listener, start);
        });
    }

    private void open(InetSocketAddress address, EventLoop loop, ByteBufAllocator alloc, ChannelHandler handler,
            Listener listener, long start) {
        EngineConfig config = engine.config();
        SocketChannel channel;
        try {
            channel = engine.transport().newSocketChannel(address.getAddress());
        } catch (ChannelException noSocket) {
            // Typically EMFILE (out of file descriptors): the dial fails like any other, and the client is closed.
            fail(listener, noSocket, start);
            return;
        }
        SocketChannelConfig options = channel.config();
        options.setConnectTimeoutMillis(config.connectTimeoutMillis());
        options.setAllowHalfClosure(true);
        options.setWriteBufferWaterMark(engine.waterMark());
        options.setAllocator(alloc);
        markForPacketRules(options);
        channel.pipeline().addLast(handler);
        listener.channelCreated(channel);
        // Registering from the channel's own loop completes at once, so the listener runs right here.
        loop.register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                channel.close();
                fail(listener, registered.cause(), start);
            } else if (!listener.stillWanted()) {
                channel.close();
            } else {
                channel.connect(address).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        fail(listener, f.cause(), start);
                    } else if (!listener.stillWanted()) {
                        f.channel().close();
                    } else {
                        listener.connected(System.nanoTime() - start);
                    }
                });
            }
        });
    }

    /**
     * Server-leg packet rules match only sockets with the packet engine's mark, so another process's connections to
     * the same upstream are never touched. NIO cannot set it; a failure (no CAP_NET_ADMIN after all) only means
     * server-leg packet toxics do not see this dial, so the dial goes on.
     */
    private void markForPacketRules(SocketChannelConfig options) {
        int mark = engine.packetFaults().socketMark();
        if (mark != 0 && engine.transport().kind() != TransportKind.NIO) {
            try {
                options.setOption(SO_MARK, mark);
            } catch (ChannelException notPermitted) {
                // see above
            }
        }
    }

    private static void fail(Listener listener, Throwable cause, long start) {
        if (listener.stillWanted()) {
            listener.failed(DialFailures.classify(cause), System.nanoTime() - start);
        }
    }
}
