package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.Transport;
import io.chaosproxy.event.EventBus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
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

    private ControlApiServer(Channel channel, ExecutorService control) {
        this.channel = channel;
        this.control = control;
    }

    /** Binds the API; throws IllegalStateException with the OS message if the address is taken. */
    public static ControlApiServer start(Transport transport, String host, int port, Routes routes, EventBus events,
            ObjectMapper mapper) {
        ExecutorService control = Executors.newSingleThreadExecutor(new DefaultThreadFactory("chaos-control", true));
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpServerExpectContinueHandler(),
                                new HttpObjectAggregator(MAX_BODY_BYTES), new ControlApiHandler(routes, control, events, mapper));
                    }
                });
        ChannelFuture bound = b.bind(new InetSocketAddress(host, port)).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            control.shutdownNow();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": "
                    + bound.cause().getMessage(), bound.cause());
        }
        return new ControlApiServer(bound.channel(), control);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting API calls and lets the one running finish. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        control.shutdown();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
