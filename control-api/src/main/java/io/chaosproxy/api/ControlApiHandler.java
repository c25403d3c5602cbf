package io.chaosproxy.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.event.EventBus;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Receives a whole HTTP request on the event loop, copies what it needs (the request is released by
 * {@link SimpleChannelInboundHandler} on return) and runs the route on the single control thread: routes may wait
 * for a bind, which must never happen on an event loop, and one thread makes every change atomic.
 */
final class ControlApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Routes routes;
    private final ExecutorService control;

    private final EventBus events;
    private final ObjectMapper mapper;

    ControlApiHandler(Routes routes, ExecutorService control, EventBus events, ObjectMapper mapper) {
        this.routes = routes;
        this.control = control;
        this.events = events;
        this.mapper = mapper;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String method = request.method().name();
        String uri = request.uri();
        byte[] body = ByteBufUtil.getBytes(request.content());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, ApiResponse.json(400, "{\"error\":\"bad request\",\"status\":400}"), false);
            return;
        }
        QueryStringDecoder query = new QueryStringDecoder(uri);
        if (method.equals("GET") && query.path().equals("/events")) {
            // A stream, not a request/response: served on the event loop, fed by the event bus.
            String proxy = query.parameters().containsKey("proxy") ? query.parameters().get("proxy").get(0) : null;
            EventStream.open(ctx.channel(), proxy, events, mapper);
            return;
        }
        try {
            control.execute(() -> respond(ctx, routes.handle(method, uri, body), keepAlive));
        } catch (RejectedExecutionException shuttingDown) {
            respond(ctx, ApiResponse.json(503, "{\"error\":\"shutting down\",\"status\":503}"), false);
        }
    }

    private static void respond(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        HttpUtil.setContentLength(response, r.body().length);
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
