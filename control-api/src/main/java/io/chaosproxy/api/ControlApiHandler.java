package io.chaosproxy.api;

import io.netty.buffer.ByteBufUtil;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Receives a whole HTTP request on the event loop, copies what it needs (the request is released by
 * {@link SimpleChannelInboundHandler} on return), lets the {@link RequestGuard} refuse it, finds its route in the {@link RouteTable} and runs it where its
 * kind says: a stream here, anything else on the single control thread. Answers are written on the event loop.
 */
final class ControlApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final RouteTable routes;
    private final ExecutorService control;
    private final RouteCalls calls;
    private final ApiErrors errors;
    private final RequestGuard guard;
    /**
     * Done once this connection's latest answer is handed to the event loop. HTTP/1.1 answers in request order, and
     * a route answered later (a scenario run) must not let a pipelined request's answer overtake it. Event loop only.
     */
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

    ControlApiHandler(RouteTable routes, ExecutorService control, ApiErrors errors, RequestGuard guard) {
        this.routes = routes;
        this.guard = guard;
        this.control = control;
        this.calls = new RouteCalls(errors);
        this.errors = errors;
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
        ApiResponse refused = guard.refusal(request);
        if (refused != null) {
            answerInTurn(ctx, CompletableFuture.completedFuture(refused), keepAlive);
            return;
        }
        RouteTable.Match match;
        try {
            match = routes.resolve(method, uri, body);
        } catch (RuntimeException unroutable) {
            answerInTurn(ctx, CompletableFuture.completedFuture(errors.of(unroutable, method, uri)), keepAlive);
            return;
        }
        if (match.handler() instanceof RouteHandler.Stream stream) {
            stream.open(match.request(), ctx.channel());
            return;
        }
        CompletableFuture<ApiResponse> answer = new CompletableFuture<>();
        try {
            control.execute(() -> calls.call(match).thenAccept(answer::complete));
        } catch (RejectedExecutionException shuttingDown) {
            respond(ctx, ApiResponse.json(503, "{\"error\":\"shutting down\",\"status\":503}"), false);
            return;
        }
        answerInTurn(ctx, answer, keepAlive);
    }

    /**
     * Writes the answer on this channel's event loop once it and every earlier answer of the connection are ready.
     * Should the loop refuse the write (it is shutting down, closing this channel), the chain stops there: no later
     * answer could be written either.
     */
    private void answerInTurn(ChannelHandlerContext ctx, CompletionStage<ApiResponse> answer, boolean keepAlive) {
        previous = previous.thenCombine(answer, (done, r) -> r)
                .thenAccept(r -> ctx.channel().eventLoop().execute(() -> respond(ctx, r, keepAlive)));
    }

    private static void respond(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        r.headers().forEach(response.headers()::set);
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
