package io.chaosproxy.api;

import io.chaosproxy.engine.AcceptBackoff;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps the control API answering when the process runs out of file descriptors. On the API's listening channel it
 * sees a failed accept first: while the {@link DescriptorReserve} has a descriptor, it gives one back and accepts
 * again at once, and the connection accepted with it is answered 503 and closed (the descriptor is then taken back);
 * with the reserve spent it pauses accepting for a second ({@link AcceptBackoff}, which logs at most once per
 * interval). So a client of the API gets an answer, never a hang, while the data plane holds every descriptor, and
 * full service comes back by itself when descriptors free up.
 */
final class ApiAcceptGuard extends ChannelInboundHandlerAdapter {
    /** Enough to answer a few clients at once; each is one descriptor the data plane cannot use. */
    static final int RESERVE = 8;
    /** How long an answered connection stays open to drain its request, so closing it sends a FIN, not an RST. */
    private static final long DRAIN_MILLIS = 50;
    /** How often released descriptors are taken back while the reserve is not full. */
    private static final long REFILL_MILLIS = 100;
    private static final byte[] UNAVAILABLE = unavailable();
    /** Created with the class, at start: loading a class from a directory when out of descriptors would fail. */
    private static final Drain DRAIN = new Drain();

    private final DescriptorReserve reserve = new DescriptorReserve(RESERVE);
    private final AcceptBackoff backoff = new AcceptBackoff("the control API");
    private final AcceptBackoff.Listener listener = new AcceptBackoff.Listener();
    /** Whether a refill attempt is scheduled; the listener's event loop only. */
    private boolean refillScheduled;
    /** Connections accepted with a descriptor from the reserve, not yet answered. */
    private final AtomicInteger toAnswer = new AtomicInteger();

    private static byte[] unavailable() {
        String body = "{\"error\":\"chaos-proxy is out of file descriptors; try again shortly\",\"status\":503}\n";
        return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        listener.readMore(ctx); // the API's listener runs with auto-read off: see AcceptBackoff
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        listener.readMore(ctx);
    }

    /** On the listening channel: an accept failed. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (reserve.release()) {
            toAnswer.incrementAndGet();
            listener.readMore(ctx); // accept again now, with the descriptor just given back
        } else {
            backoff.acceptFailed(ctx, listener, cause);
        }
        refillLater(ctx.channel().eventLoop());
    }

    /**
     * Takes released descriptors back as they free up: tried every {@link #REFILL_MILLIS} ms until the reserve is full. With the
     * reserve full again no descriptor of it is out, so no connection is still owed a 503.
     */
    private void refillLater(EventLoop loop) {
        if (refillScheduled) {
            return;
        }
        refillScheduled = true;
        loop.schedule(() -> {
            refillScheduled = false;
            reserve.refill();
            if (reserve.full()) {
                toAnswer.set(0);
            } else {
                refillLater(loop);
            }
        }, REFILL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * For each accepted connection: true when it was accepted with a reserved descriptor, and is now being answered
     * 503; the caller then sets up nothing else on it.
     */
    boolean answeredUnavailable(Channel ch) {
        if (toAnswer.getAndUpdate(n -> n > 0 ? n - 1 : 0) <= 0) {
            return false;
        }
        ch.pipeline().addLast(DRAIN);
        ch.writeAndFlush(Unpooled.wrappedBuffer(UNAVAILABLE)).addListener((ChannelFutureListener) f ->
                f.channel().eventLoop().schedule(() -> f.channel().close(), DRAIN_MILLIS, TimeUnit.MILLISECONDS));
        return true;
    }

    void close() {
        reserve.close();
    }

    /** Discards what an answered client sent, so closing its connection sends a FIN, not an RST. */
    @ChannelHandler.Sharable
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
