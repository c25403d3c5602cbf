package io.chaosproxy.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cap on API connections open at once. A connection beyond it is answered 503 on its first request and closed
 * (a refusal the client can read, unlike a reset); it gets one second to send that request. Refusals in progress are
 * bounded too (a quarter of the cap, at least 16): beyond that a connection is closed at once.
 */
final class ApiConnectionCap {
    private static final int REFUSAL_READ_SECONDS = 1;
    private static final int MAX_REQUEST_TO_REFUSE = 16 * 1024;

    private final int max;
    private final int maxRefusing;
    private final ApiErrors errors;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusing = new AtomicInteger();

    ApiConnectionCap(int max, ApiErrors errors) {
        this.max = max;
        this.maxRefusing = Math.max(16, max / 4);
        this.errors = errors;
    }

    /** Counts a new connection in, or sets it up to be refused; false when it is refused. */
    boolean admit(Channel ch) {
        if (open.incrementAndGet() <= max) {
            ch.closeFuture().addListener(f -> open.decrementAndGet());
            return true;
        }
        open.decrementAndGet();
        if (refusing.incrementAndGet() > maxRefusing) {
            refusing.decrementAndGet();
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> refusing.decrementAndGet());
        ch.pipeline().addLast(new ReadTimeoutHandler(REFUSAL_READ_SECONDS, TimeUnit.SECONDS), new HttpServerCodec(),
                new HttpObjectAggregator(MAX_REQUEST_TO_REFUSE), new Refusal());
        return false;
    }

    int open() {
        return open.get();
    }

    private final class Refusal extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            ApiResponse r = errors.error(503, "too many API connections: at most " + max
                    + " at once (--api-max-connections); retry when one closes");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.wrappedBuffer(r.body()));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            HttpUtil.setContentLength(response, r.body().length);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
