package io.chaosproxy.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The header and keep-alive timeouts of one API connection. A request must arrive in full within the header timeout
 * of the connection's start or of its own first byte (a client sending one byte a second cannot hold a connection);
 * between requests a kept-alive connection may stay silent for the idle timeout. No timer runs while an answer is
 * being worked on, nor on an event stream.
 *
 * <p>Two handlers share the state: {@link #rawSide()} sits before the HTTP codec and sees every byte,
 * {@link #requestSide()} after it and sees where requests end; the answering handler reports each answer written
 * ({@link #answered()}). Event loop only.
 */
final class ApiConnectionTimeouts {
    private static final byte[] REQUEST_TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);

    private final long headerNanos;
    private final long idleNanos;
    private ChannelHandlerContext raw;
    private ScheduledFuture<?> timer;
    private boolean isHeaderTimer;
    /** Bytes of a request have arrived that do not yet make a whole request. */
    private boolean partial;
    /** Whole requests not answered yet. */
    private int unanswered;
    private boolean streaming;

    ApiConnectionTimeouts(ApiLimits limits) {
        this.headerNanos = limits.headerTimeout().toNanos();
        this.idleNanos = limits.idleTimeout().toNanos();
    }

    ChannelInboundHandlerAdapter rawSide() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                raw = ctx;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                arm(headerNanos, true); // the first request's clock starts at the accept
                super.channelActive(ctx);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (!streaming && !partial && msg instanceof ByteBuf b && b.isReadable()) {
                    partial = true;
                    if (unanswered == 0 && (timer == null || !isHeaderTimer)) {
                        arm(headerNanos, true);
                    }
                }
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                cancel();
                super.channelInactive(ctx);
            }
        };
    }

    ChannelInboundHandlerAdapter requestSide() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                if (msg instanceof LastHttpContent) {
                    partial = false;
                    unanswered++;
                    cancel(); // a request being answered has no clock: a scenario run may take seconds
                }
                super.channelRead(ctx, msg);
            }
        };
    }

    /** The connection now carries an event stream: it lives as long as the subscriber wants. */
    void streaming() {
        streaming = true;
        cancel();
    }

    /** An answer was written (event loop): with none left to give, the idle (or next header) clock starts. */
    void answered() {
        unanswered = Math.max(0, unanswered - 1);
        if (unanswered == 0 && !streaming) {
            if (partial) {
                arm(headerNanos, true);
            } else {
                arm(idleNanos, false);
            }
        }
    }

    private void arm(long nanos, boolean header) {
        cancel();
        isHeaderTimer = header;
        timer = raw.executor().schedule(() -> expire(header), nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(boolean header) {
        timer = null;
        if (streaming || !raw.channel().isActive()) {
            return;
        }
        if (header && partial) {
            // Said before closing, in the raw bytes: the codec is in the middle of a request it never got.
            byte[] body = ("{\"error\":\"request not received in full within " + headerNanos / 1_000_000
                    + " ms\",\"status\":408}").getBytes(StandardCharsets.UTF_8);
            ByteBuf out = Unpooled.buffer(REQUEST_TIMEOUT.length + 8 + body.length);
            out.writeBytes(REQUEST_TIMEOUT).writeBytes((body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII))
                    .writeBytes(body);
            raw.writeAndFlush(out).addListener(f -> raw.channel().close());
        } else {
            raw.channel().close();
        }
    }
}
