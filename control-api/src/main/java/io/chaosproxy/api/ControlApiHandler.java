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
    private final ApiConnectionTimeouts timeouts;
    private final int maxPipelined;
    /** Requests of this connection read and not yet answered. Event loop only. */
    private int waiting;
    /** A refusal that closes the connection is on its way: later requests of the burst are not read. */
    private boolean closing;

    ControlApiHandler(RouteTable routes, ExecutorService control, ApiErrors errors, RequestGuard guard,
            ApiConnectionTimeouts timeouts, int maxPipelined) {
        this.routes = routes;
        this.guard = guard;
        this.control = control;
        this.calls = new RouteCalls(errors);
        this.errors = errors;
        this.timeouts = timeouts;
        this.maxPipelined = maxPipelined;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (closing) {
            return;
        }
        String method = request.method().name();
        String uri = request.uri();
        byte[] body = ByteBufUtil.getBytes(request.content());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        waiting++;
        if (!request.decoderResult().isSuccess()) {
            stopReading(ctx);
            answerInTurn(ctx, CompletableFuture.completedFuture(errors.error(400, "malformed HTTP request: the"
                    + " request line or a header is too long (4096 bytes) or not HTTP/1.x")), false);
            return;
        }
        if (waiting > maxPipelined) {
            // Answered in turn like any other, then the connection closes: a client that keeps sending without
            // reading could otherwise make us hold its answers without bound.
            stopReading(ctx);
            answerInTurn(ctx, CompletableFuture.completedFuture(errors.error(503, "too many pipelined requests:"
                    + " more than " + maxPipelined + " waiting for their answers on this connection")), false);
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
            // A stream starts once every earlier answer is written, so it never interleaves with one.
            previous = previous.thenRun(() -> ctx.channel().eventLoop().execute(() -> openStream(ctx, stream, match,
                    method, uri, keepAlive)));
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

    private void openStream(ChannelHandlerContext ctx, RouteHandler.Stream stream, RouteTable.Match match,
            String method, String uri, boolean keepAlive) {
        waiting--;
        try {
            stream.open(match.request(), ctx.channel());
            timeouts.streaming();
            closing = true; // the connection is the stream's now; anything the client sends after is not a request
        } catch (RuntimeException refused) {
            waiting++;
            respond(ctx, errors.of(refused, method, uri), keepAlive);
        }
    }

    /** The connection closes after the answers already due: nothing more is read from it. */
    private void stopReading(ChannelHandlerContext ctx) {
        closing = true;
        ctx.channel().config().setAutoRead(false);
    }

    private void respond(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive) {
        waiting--;
        timeouts.answered();
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
