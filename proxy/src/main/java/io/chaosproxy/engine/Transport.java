package io.chaosproxy.engine;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/** The event loops and channel classes: io_uring, epoll or NIO (see {@link TransportKind}). */
public final class Transport implements AutoCloseable {
    /**
     * Netty's io_uring multishot accept re-arms itself after a failed accept whatever the channel's auto-read says,
     * so out of file descriptors a listener failed hundreds of thousands of times a second instead of pausing
     * ({@link AcceptBackoff}). Single-shot accepts stop when asked. Set before Netty's io_uring classes load (this
     * class names them first); a value the user gives wins.
     */
    static final String ACCEPT_MULTISHOT = "io.netty.iouring.acceptMultiShotEnabled";

    static {
        if (System.getProperty(ACCEPT_MULTISHOT) == null) {
            System.setProperty(ACCEPT_MULTISHOT, "false");
        }
    }

    private final TransportKind kind;
    private final EventLoopGroup group;
    private final int threads;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;

    private Transport(TransportKind kind, IoHandlerFactory factory, int threads,
            Class<? extends ServerChannel> serverChannelClass, Class<? extends SocketChannel> socketChannelClass) {
        this.kind = kind;
        this.group = new MultiThreadIoEventLoopGroup(threads, LoopFailures.threadFactory("chaos-io"), factory);
        this.threads = threads;
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
    }

    /**
     * Starts the event loops of the transport asked for; {@link TransportKind#AUTO} takes the first of io_uring,
     * epoll and NIO that this machine allows. Throws IllegalStateException, with the reason, when a transport asked
     * for by name is not available here.
     */
    public static Transport create(TransportKind wanted, int threads) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        TransportKind kind = wanted == TransportKind.AUTO ? bestAvailable() : wanted;
        Throwable unavailable = unavailabilityCause(kind);
        if (unavailable != null) {
            throw new IllegalStateException("transport " + kind.label() + " is not available here: "
                    + unavailable.getMessage(), unavailable);
        }
        switch (kind) {
            case IO_URING:
                return new Transport(kind, IoUringIoHandler.newFactory(), n, IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class);
            case EPOLL:
                return new Transport(kind, HalfCloseSafeEpoll.newFactory(), n, EpollServerSocketChannel.class,
                        EpollSocketChannel.class);
            default:
                return new Transport(TransportKind.NIO, NioIoHandler.newFactory(), n, NioServerSocketChannel.class,
                        NioSocketChannel.class);
        }
    }

    private static TransportKind bestAvailable() {
        if (unavailabilityCause(TransportKind.IO_URING) == null) {
            return TransportKind.IO_URING;
        }
        return unavailabilityCause(TransportKind.EPOLL) == null ? TransportKind.EPOLL : TransportKind.NIO;
    }

    /** Why a transport cannot run here, or null when it can. */
    public static Throwable unavailabilityCause(TransportKind kind) {
        try {
            switch (kind) {
                case IO_URING:
                    return IoUring.isAvailable() ? null : IoUring.unavailabilityCause();
                case EPOLL:
                    return Epoll.isAvailable() ? null : Epoll.unavailabilityCause();
                default:
                    return null;
            }
        } catch (LinkageError e) {
            return e; // the native library does not exist for this platform
        }
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}. */
    public String name() {
        return kind.label();
    }

    public TransportKind kind() {
        return kind;
    }

    /** How many event loops forward the proxies' traffic. */
    public int threads() {
        return threads;
    }

    public EventLoopGroup group() {
        return group;
    }

    /** The listening channel class, for servers built with Netty's ServerBootstrap (the control API). */
    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    /** The connecting channel class, for clients built with Netty's Bootstrap (the benchmark's bare-Netty floor). */
    public Class<? extends SocketChannel> socketChannelClass() {
        return socketChannelClass;
    }

    /**
     * A listening socket of the address's own family: an IPv4 address gets a plain IPv4 socket rather than a
     * dual-stack IPv6 one (cheaper in the kernel per connection, and no v4-mapped addresses); a wildcard keeps the
     * dual-stack socket so {@code :port} accepts both families. (Netty's io_uring channels choose the family
     * themselves.)
     */
    ServerChannel newServerChannel(InetAddress bindTo) {
        SocketProtocolFamily family = familyOf(bindTo);
        switch (kind) {
            case IO_URING:
                return new IoUringServerSocketChannel();
            case EPOLL:
                return family == null ? new EpollServerSocketChannel() : new EpollServerSocketChannel(family);
            default:
                return family == null ? new NioServerSocketChannel()
                        : new NioServerSocketChannel(SelectorProvider.provider(), family);
        }
    }

    /** A socket of the target's own family, for dialling it. */
    SocketChannel newSocketChannel(InetAddress target) {
        SocketProtocolFamily family = familyOf(target);
        switch (kind) {
            case IO_URING:
                return new IoUringSocketChannel();
            case EPOLL:
                return family == null ? new EpollSocketChannel() : new EpollSocketChannel(family);
            default:
                return family == null ? new NioSocketChannel()
                        : new NioSocketChannel(SelectorProvider.provider(), family);
        }
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
