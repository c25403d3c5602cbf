import io.chaosproxy.engine.Transport;
import io.chaosproxy.engine.TransportKind;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * The bench's "netty" path: the plainest TCP forwarder Netty allows, as a floor for what any Netty-based proxy
 * costs per connection on this machine. It does what every Netty forwarder must (a channel and a pipeline per
 * socket, a Bootstrap dial, read and write each way) and nothing else: no events, metrics, timelines, toxics or
 * TCP_INFO, and no faithful half-close (at the first EOF on either side it flushes and closes both). chaos-proxy and
 * HAProxy both do more, so where this floor is below HAProxy, no amount of work in chaos-proxy's own code closes
 * the rest of the gap.
 *
 * <p>Run from source (Java 11+ source launcher) against the chaos-proxy jar, which carries Netty:
 * {@code java -cp control-api/target/chaos-proxy.jar bench/NettyFloorProxy.java 18093:18080 18094:5201}. Each
 * argument is LISTEN_PORT:UPSTREAM_PORT, both on 127.0.0.1. Transport and event loops come from chaos-proxy's own
 * {@link Transport} (io_uring, else epoll, else NIO; one loop per core), so the two differ only in what they do.
 */
public final class NettyFloorProxy {
    private static final String HOST = "127.0.0.1";

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.err.println("usage: NettyFloorProxy LISTEN_PORT:UPSTREAM_PORT...");
            System.exit(2);
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // as chaos-proxy's server does
        // chaos-proxy's own transport choice (io_uring, else epoll, else NIO) and one event loop per core.
        Transport transport = Transport.create(TransportKind.AUTO, 0);
        EventLoopGroup group = transport.group();
        Class<? extends ServerChannel> serverType = transport.serverChannelClass();
        Class<? extends SocketChannel> socketType = transport.socketChannelClass();
        int threads = Runtime.getRuntime().availableProcessors();
        String name = transport.name();
        List<Channel> listeners = new ArrayList<>();
        for (String pair : args) {
            String[] ports = pair.split(":");
            int listen = Integer.parseInt(ports[0]);
            int upstream = Integer.parseInt(ports[1]);
            listeners.add(new ServerBootstrap().group(group).channel(serverType)
                    .childOption(ChannelOption.AUTO_READ, false) // read the client once the upstream is there
                    .childHandler(new Dialer(socketType, upstream))
                    .bind(HOST, listen).sync().channel());
            System.out.println("netty floor: " + HOST + ":" + listen + " -> " + HOST + ":" + upstream + " (" + name
                    + ", " + threads + " event loops)");
        }
        // The event-loop threads are daemons: keep the JVM up until the listeners close (the bench kills it).
        for (Channel listener : listeners) {
            listener.closeFuture().sync();
        }
    }

    /** Dials the upstream on the client's own event loop, then relays both ways. */
    @ChannelHandler.Sharable
    private static final class Dialer extends ChannelInboundHandlerAdapter {
        private final Class<? extends SocketChannel> socketType;
        private final int upstream;

        Dialer(Class<? extends SocketChannel> socketType, int upstream) {
            this.socketType = socketType;
            this.upstream = upstream;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            new Bootstrap().group(client.eventLoop()).channel(socketType)
                    .handler(new Relay(client))
                    .connect(HOST, upstream)
                    .addListener((ChannelFutureListener) dialed -> {
                        if (dialed.isSuccess()) {
                            client.pipeline().addLast(new Relay(dialed.channel()));
                            client.config().setAutoRead(true);
                        } else {
                            client.close();
                        }
                    });
        }
    }

    /**
     * Writes what one side reads to the other, and stops reading while the other cannot take more (the backpressure
     * every forwarder needs); closes the other (after its queued bytes) when this side ends.
     */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Relay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg, other.voidPromise());
            if (!other.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // This side drained: the other side, paused while this one was full, may read again.
            if (ctx.channel().isWritable()) {
                other.config().setAutoRead(true);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (other.isActive()) {
                other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
