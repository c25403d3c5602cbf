package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.EventBus;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.EventListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live feed's one listener on the event bus, shared by every {@code /events} subscriber. Each event is turned
 * into its Server-Sent Events bytes once, however many subscribers want it, and handed to each subscriber's bounded
 * queue ({@link EventSubscriber}); a subscriber whose queue is full loses the event, counted for it (it is told how
 * many when it reads again) and in {@code chaosproxy_api_events_dropped_total}. A subscriber costs the data plane
 * one queue offer per event, never a write or a task per event.
 */
final class EventFanOut implements EventListener {
    /** What one subscriber may have queued (ours plus the socket's buffer) before it loses events. */
    static final int QUEUE_BUDGET_BYTES = 256 * 1024;

    private final ObjectMapper mapper;
    private final JsonViews views;
    private final int maxSubscribers;
    private final List<EventSubscriber> subscribers = new CopyOnWriteArrayList<>();
    private final Counter dropped;

    EventFanOut(EventBus bus, ObjectMapper mapper, MeterRegistry meters, int maxSubscribers) {
        this.mapper = mapper;
        this.views = new JsonViews(mapper);
        this.maxSubscribers = maxSubscribers;
        this.dropped = Counter.builder("chaosproxy.api.events.dropped")
                .description("live events (/events) not sent to a subscriber whose queue was full").register(meters);
        Gauge.builder("chaosproxy.api.events.subscribers", subscribers, List::size)
                .description("/events subscribers connected now").register(meters);
        Gauge.builder("chaosproxy.api.events.queued", this, EventFanOut::queuedBytes).baseUnit("bytes")
                .description("bytes of live events waiting to reach their subscribers, all subscribers together")
                .register(meters);
        bus.subscribe(this);
    }

    int maxSubscribers() {
        return maxSubscribers;
    }

    /**
     * Makes {@code channel} a subscriber (its response head already written).
     *
     * @throws ApiException 503 when the subscriber cap is reached
     */
    synchronized void subscribe(Channel channel, String proxyFilter) {
        if (subscribers.size() >= maxSubscribers) {
            throw new ApiException(503, "too many /events subscribers: at most " + maxSubscribers
                    + " at once (--api-max-event-streams)");
        }
        EventSubscriber s = new EventSubscriber(channel, proxyFilter, QUEUE_BUDGET_BYTES, dropped);
        subscribers.add(s);
        channel.closeFuture().addListener(f -> {
            subscribers.remove(s);
            s.discard();
        });
    }

    @Override
    public void onEvent(ConnectionEvent event) {
        if (subscribers.isEmpty()) {
            return;
        }
        ByteBuf text = null;
        for (EventSubscriber s : subscribers) {
            if (!s.wants(event)) {
                continue;
            }
            if (text == null) {
                text = serialise(event);
                if (text == null) {
                    return;
                }
            }
            s.offer(text);
        }
        if (text != null) {
            text.release(); // each subscriber holds its own reference
        }
    }

    private ByteBuf serialise(ConnectionEvent event) {
        try {
            byte[] json = mapper.writeValueAsBytes(views.liveEvent(event));
            byte[] head = ("event: " + event.type().jsonName() + "\ndata: ").getBytes(StandardCharsets.UTF_8);
            ByteBuf b = Unpooled.buffer(head.length + json.length + 2);
            return b.writeBytes(head).writeBytes(json).writeByte('\n').writeByte('\n');
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    long queuedBytes() {
        long sum = 0;
        for (EventSubscriber s : subscribers) {
            sum += s.queuedBytes();
        }
        return sum;
    }
}
