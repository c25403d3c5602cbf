package io.chaosproxy.engine;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/** The event loops and channel classes: native epoll where it loads, NIO otherwise. */
public final class Transport implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final boolean epoll;

    private Transport(String name, IoHandlerFactory factory, int threads,
            Class<? extends ServerChannel> serverChannelClass, Class<? extends SocketChannel> socketChannelClass) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("chaos-io", true), factory);
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
        this.epoll = "epoll".equals(name);
    }

    public static Transport create(boolean preferNative, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (preferNative && Epoll.isAvailable()) {
            return new Transport("epoll", HalfCloseSafeEpoll.newFactory(), n, EpollServerSocketChannel.class,
                    EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), n, NioServerSocketChannel.class,
                NioSocketChannel.class);
    }

    public String name() {
        return name;
    }

    public EventLoopGroup group() {
        return group;
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    public Class<? extends SocketChannel> socketChannelClass() {
        return socketChannelClass;
    }

    /**
     * A listening socket of the address's own family: an IPv4 address gets a plain IPv4 socket rather than a
     * dual-stack IPv6 one (cheaper in the kernel per connection, and no v4-mapped addresses); a wildcard keeps the
     * dual-stack socket so {@code :port} accepts both families.
     */
    ServerChannel newServerChannel(InetAddress bindTo) {
        SocketProtocolFamily family = familyOf(bindTo);
        if (epoll) {
            return family == null ? new EpollServerSocketChannel() : new EpollServerSocketChannel(family);
        }
        return family == null ? new NioServerSocketChannel()
                : new NioServerSocketChannel(SelectorProvider.provider(), family);
    }

    /** A socket of the target's own family, for dialling it. */
    SocketChannel newSocketChannel(InetAddress target) {
        SocketProtocolFamily family = familyOf(target);
        if (epoll) {
            return family == null ? new EpollSocketChannel() : new EpollSocketChannel(family);
        }
        return family == null ? new NioSocketChannel() : new NioSocketChannel(SelectorProvider.provider(), family);
    }

    private static SocketProtocolFamily familyOf(InetAddress address) {
        if (address == null || address.isAnyLocalAddress()) {
            return null;
        }
        if (address instanceof Inet4Address) {
            return SocketProtocolFamily.INET;
        }
        return address instanceof Inet6Address ? SocketProtocolFamily.INET6 : null;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
