package io.chaosproxy.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /events[?proxy=name]}: connection events live, as Server-Sent Events, from the shared
 * {@link EventFanOut}. A subscriber that reads too slowly loses events (reported to it as {@code event: dropped})
 * rather than making the proxy buffer for it.
 */
final class EventStream {
    private EventStream() {
    }

    /** @throws ApiException 503 when the subscriber cap is reached (nothing written then) */
    static void open(Channel channel, String proxyFilter, EventFanOut fanOut) {
        fanOut.subscribe(channel, proxyFilter);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.write(head, channel.voidPromise());
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": chaos-proxy events"
                + (proxyFilter == null ? "" : " for proxy " + proxyFilter) + "\n\n", StandardCharsets.UTF_8)));
    }
}
