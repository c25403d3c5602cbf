package io.chaosproxy.engine;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannelConfig;

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
    private final AcceptBackoff.Listener listener = new AcceptBackoff.Listener();

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

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        listener.readMore(ctx); // the listener runs with auto-read off: see AcceptBackoff
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        listener.readMore(ctx);
    }

    /** Accepting failed (typically EMFILE, out of file descriptors): pause, resume, and say so (rate-limited). */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        proxy.engine().acceptBackoff().acceptFailed(ctx, listener, cause);
    }
}
