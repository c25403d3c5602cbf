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
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** The event loops and channel classes: native epoll where it loads, NIO otherwise. */
public final class Transport implements AutoCloseable {
    private final String name;
    private final EventLoopGroup group;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;

    private Transport(String name, IoHandlerFactory factory, int threads,
            Class<? extends ServerChannel> serverChannelClass, Class<? extends SocketChannel> socketChannelClass) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("chaos-io", true), factory);
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
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

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
