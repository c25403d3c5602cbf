package io.chaosproxy.api;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Stamps {@code X-Toxiproxy-Request-Id} on every answer the API writes, whoever wrote it (a route, a refusal, the
 * event stream, a malformed request's 400), as Toxiproxy 2.12 does. One instance serves every channel.
 */
@ChannelHandler.Sharable
final class RequestIdHeader extends ChannelOutboundHandlerAdapter {
    static final String NAME = "X-Toxiproxy-Request-Id";
    private final RequestIds ids = new RequestIds();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && !response.headers().contains(NAME)) {
            response.headers().set(NAME, ids.next());
        }
        ctx.write(msg, promise);
    }
}
