package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.engine.EventBus;
import io.chaosproxy.model.EventListener;
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
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code GET /events[?proxy=name]}: connection events live, as Server-Sent Events. A subscriber that reads too
 * slowly loses events (counted in a comment line) rather than making the proxy buffer for it.
 */
final class EventStream implements EventListener {
    private final Channel channel;
    private final String proxyFilter;
    private final ObjectMapper mapper;
    private final JsonViews views;
    private final AtomicLong dropped = new AtomicLong();

    private EventStream(Channel channel, String proxyFilter, ObjectMapper mapper) {
        this.channel = channel;
        this.proxyFilter = proxyFilter;
        this.mapper = mapper;
        this.views = new JsonViews(mapper);
    }

    static void open(Channel channel, String proxyFilter, EventBus bus, ObjectMapper mapper) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        channel.writeAndFlush(head);
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": chaos-proxy events"
                + (proxyFilter == null ? "" : " for proxy " + proxyFilter) + "\n\n", StandardCharsets.UTF_8)));
        EventStream stream = new EventStream(channel, proxyFilter, mapper);
        bus.subscribe(stream);
        channel.closeFuture().addListener(f -> bus.unsubscribe(stream));
    }

    @Override
    public void onEvent(ConnectionEvent event) {
        if (proxyFilter != null && !proxyFilter.equals(event.proxy())) {
            return;
        }
        if (!channel.isActive()) {
            return;
        }
        if (!channel.isWritable()) {
            dropped.incrementAndGet();
            return;
        }
        String text;
        try {
            long lost = dropped.getAndSet(0);
            text = (lost > 0 ? ": dropped " + lost + " events (slow reader)\n" : "")
                    + "event: " + event.type().jsonName() + "\ndata: "
                    + mapper.writeValueAsString(views.liveEvent(event)) + "\n\n";
        } catch (JsonProcessingException e) {
            return;
        }
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)));
    }
}
