package io.chaosproxy.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannelConfig;
import java.util.concurrent.TimeUnit;

/**
 * The handler on a proxy's listening channel: each accepted client channel is configured, given its
 * {@link Connection} and registered with an event loop, which starts the connection.
 *
 * <p>Why not Netty's ServerBootstrap: its acceptor sets child options from a map and runs a ChannelInitializer that
 * adds and then removes itself from every new pipeline. A new connection per request spends a noticeable share of
 * its CPU there; setting the two options directly and adding the final handler at once is the same work without
 * the generic machinery.
 */
final class ClientAcceptor extends ChannelInboundHandlerAdapter {
    private final Proxy proxy;

    ClientAcceptor(Proxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel client = (Channel) msg;
        ChannelConfig config = client.config();
        // Reading starts at registration: bytes sent before the dial completes are kept (bounded) by the flows,
        // which saves two epoll changes per connection. Netty enables TCP_NODELAY by default.
        ((SocketChannelConfig) config).setAllowHalfClosure(true);
        config.setWriteBufferWaterMark(proxy.engine().waterMark());
        EventLoop loop = proxy.engine().transport().group().next();
        Connection connection = proxy.newConnection(client, loop);
        loop.register(client).addListener(registered -> {
            if (!registered.isSuccess()) {
                // Unregistered, so without an event loop no pipeline operation can close it (as in ServerBootstrap).
                client.unsafe().closeForcibly();
                proxy.forget(connection);
            }
        });
    }

    /**
     * Accepting failed (typically EMFILE, out of file descriptors): pause accepting for a second instead of
     * spinning on an error the next accept would hit again at once.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), 1, TimeUnit.SECONDS);
        }
    }
}
