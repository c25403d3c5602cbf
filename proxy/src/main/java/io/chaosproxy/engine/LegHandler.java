package io.chaosproxy.engine;

import io.chaosproxy.model.Leg;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * The one handler on each leg's channel: turns channel callbacks into {@link Connection} calls. Buffers read here
 * are handed to the connection, which owns and releases them.
 */
final class LegHandler extends ChannelInboundHandlerAdapter {
    private final Connection connection;
    private final Leg leg;

    LegHandler(Connection connection, Leg leg) {
        this.connection = connection;
        this.leg = leg;
    }

    /** The client's channel is registered and reading is about to start: run the connection. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (leg == Leg.CLIENT) {
            connection.start();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            connection.onRead(leg, (ByteBuf) msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            connection.onInputShutdown(leg);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.onWritabilityChanged(leg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Read errors, and write errors: the flows write with the void promise, which reports failures here.
        connection.onError(leg, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.onInactive(leg);
    }
}
