package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The HTTP listener of the control API, on the engine's own event loops, plus its single control thread. */
public final class ControlApiServer implements AutoCloseable {
    private static final int MAX_BODY_BYTES = 1024 * 1024;

    private final ExecutorService control;
    private final Channel channel;
    private final ChannelGroup connections;

    private ControlApiServer(Channel channel, ChannelGroup connections, ExecutorService control) {
        this.channel = channel;
        this.connections = connections;
        this.control = control;
    }

    /** Binds the API with the default protection and limits; see the last {@code start}. */
    public static ControlApiServer start(Transport transport, String host, int port, RouteTable routes,
            ObjectMapper mapper) {
        return start(transport, host, port, routes, mapper, ApiSecurity.defaults(), ApiLimits.defaults());
    }

    /** Binds the API with the default limits. */
    public static ControlApiServer start(Transport transport, String host, int port, RouteTable routes,
            ObjectMapper mapper, ApiSecurity security) {
        return start(transport, host, port, routes, mapper, security, ApiLimits.defaults());
    }

    /** Binds the API with the default protection. */
    public static ControlApiServer start(Transport transport, String host, int port, RouteTable routes,
            ObjectMapper mapper, ApiLimits limits) {
        return start(transport, host, port, routes, mapper, ApiSecurity.defaults(), limits);
    }

    /**
     * Binds the API: connections beyond the cap are answered 503; every request passes the {@link RequestGuard}
     * (browser protection, token) before routing, within the header and idle timeouts.
     *
     * @throws IllegalStateException with the OS message if the address is taken
     */
    public static ControlApiServer start(Transport transport, String host, int port, RouteTable routes,
            ObjectMapper mapper, ApiSecurity security, ApiLimits limits) {
        ApiErrors errors = new ApiErrors(mapper);
        RequestGuard guard = new RequestGuard(security, errors);
        RequestIdHeader requestIds = new RequestIdHeader();
        ApiConnectionCap cap = new ApiConnectionCap(limits.maxConnections(), errors);
        ExecutorService control = Executors.newSingleThreadExecutor(new DefaultThreadFactory("chaos-control", true));
        ChannelGroup connections = new DefaultChannelGroup("chaos-api", GlobalEventExecutor.INSTANCE);
        ApiAcceptGuard acceptGuard = new ApiAcceptGuard();
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.AUTO_READ, false) // the accept guard asks for each batch of accepts
                .handler(acceptGuard)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        if (acceptGuard.answeredUnavailable(ch)) {
                            return; // out of descriptors: answered 503 from the reserve
                        }
                        if (!cap.admit(ch)) {
                            return; // answered 503 (or closed, when even refusals are at their bound)
                        }
                        ApiConnectionTimeouts timeouts = new ApiConnectionTimeouts(limits);
                        // The codec's own pipelining bound (128) would close the connection before any answer;
                        // ControlApiHandler applies ours (answers in order, then 503), so the codec's is lifted.
                        ch.pipeline().addLast(timeouts.rawSide(),
                                new HttpServerCodec(new HttpDecoderConfig(), Integer.MAX_VALUE), requestIds,
                                timeouts.requestSide(), new HttpServerExpectContinueHandler(),
                                new HttpObjectAggregator(MAX_BODY_BYTES),
                                new ControlApiHandler(routes, control, errors, guard, timeouts, limits.maxPipelined()));
                    }
                });
        ChannelFuture bound = b.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            acceptGuard.close();
            control.shutdownNow();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        bound.channel().closeFuture().addListener(f -> acceptGuard.close());
        return new ControlApiServer(bound.channel(), connections, control);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops accepting API calls, lets the one running finish, and closes the clients' connections (kept alive or
     * streaming events) before the event loops stop: a channel still open at that point may have a read in flight
     * whose buffer the io_uring transport then never gets back.
     */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        control.shutdown();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
