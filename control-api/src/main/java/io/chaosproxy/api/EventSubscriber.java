package io.chaosproxy.api;

import io.chaosproxy.model.ConnectionEvent;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code /events} subscriber: a bounded queue of serialised events, drained on the subscriber's own event loop
 * by one task at a time (not one task per event), with backpressure: the queue drains only while the socket is
 * writable, and an event that would take the subscriber past its budget is dropped and counted. The count is
 * reported to the subscriber as an SSE event ({@code event: dropped}, {@code data: {"dropped": n}}) as soon as it
 * can take it again.
 */
final class EventSubscriber {
    /** About what one write of a batch carries; an event never splits across batches. */
    private static final int BATCH_BYTES = 16 * 1024;
    /**
     * The socket's send buffer for an event stream. Left to the kernel's autotuning it grows to megabytes, and a
     * subscriber that does not read would keep taking writes (a syscall per event) long before it looks stuck.
     */
    static final int SEND_BUFFER_BYTES = 32 * 1024;
    private final Channel channel;
    private final String proxyFilter;
    private final long budget;
    private final Counter droppedTotal;
    private final Queue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    /** Bytes in {@link #queue} plus bytes handed to the channel and not yet written to the socket. */
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean closed;

    EventSubscriber(Channel channel, String proxyFilter, long budget, Counter droppedTotal) {
        this.channel = channel;
        this.proxyFilter = proxyFilter;
        this.budget = budget;
        this.droppedTotal = droppedTotal;
        channel.config().setOption(ChannelOption.SO_SNDBUF, SEND_BUFFER_BYTES);
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
                if (ctx.channel().isWritable()) {
                    drain(); // it reads again: what waited, and the news of what was lost, go out now
                }
                super.channelWritabilityChanged(ctx);
            }
        });
    }

    boolean wants(ConnectionEvent event) {
        return !closed && (proxyFilter == null || proxyFilter.equals(event.proxy()));
    }

    /** Called on any thread (the event's connection's loop). */
    void offer(ByteBuf event) {
        int size = event.readableBytes();
        if (queued.get() + size > budget) {
            dropped.incrementAndGet();
            droppedTotal.increment();
            return;
        }
        queued.addAndGet(size);
        queue.add(event.retainedDuplicate());
        if (closed) {
            discard();
            return;
        }
        if (channel.isWritable() && drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drainScheduledTask);
        }
    }

    private void drainScheduledTask() {
        drainScheduled.set(false);
        drain();
    }

    /** On the subscriber's event loop: writes what is queued while the socket takes it, then one flush. */
    private void drain() {
        if (!channel.isActive()) {
            discard();
            return;
        }
        // What is queued goes out as one HTTP chunk per batch (one copy, one completion listener), not a chunk
        // per event: with many events per drain, the per-event cost on the subscriber's loop is a copy.
        while (channel.isWritable() && !queue.isEmpty()) {
            ByteBuf batch = channel.alloc().buffer(BATCH_BYTES);
            ByteBuf next;
            while (batch.readableBytes() < BATCH_BYTES && (next = queue.poll()) != null) {
                batch.writeBytes(next);
                next.release();
            }
            int written = batch.readableBytes();
            channel.write(new DefaultHttpContent(batch)).addListener(f -> queued.addAndGet(-written));
        }
        // The events lost came after the ones that were queued: the report follows them.
        long lost = queue.isEmpty() ? dropped.getAndSet(0) : 0;
        if (lost > 0) {
            channel.write(new DefaultHttpContent(Unpooled.copiedBuffer("event: dropped\ndata: {\"dropped\":" + lost
                    + "}\n\n", StandardCharsets.UTF_8)), channel.voidPromise());
        }
        channel.flush();
    }

    long queuedBytes() {
        return queued.get();
    }

    /** Once the channel closed: what is still queued is released. */
    void discard() {
        closed = true;
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            queued.addAndGet(-b.readableBytes());
            b.release();
        }
    }
}
