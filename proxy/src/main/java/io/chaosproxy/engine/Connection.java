package io.chaosproxy.engine;

import io.chaosproxy.event.ConnectionEvent;
import io.chaosproxy.event.EventType;
import io.chaosproxy.toxic.StreamDirection;
import io.chaosproxy.toxic.Toxic;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.Random;

/**
 * One proxied connection: the client's channel, the channel dialled to the upstream, and a {@link DirectionFlow}
 * each way. Both channels share one event loop, so everything here runs single-threaded.
 */
public final class Connection {
    private final Proxy proxy;
    private final long id;
    private final Channel client;
    private final EventLoop loop;
    private final long acceptedNanos = System.nanoTime();
    private final long acceptedEpochMillis = System.currentTimeMillis();
    private final long randomSeed;
    private final DirectionFlow upstream = new DirectionFlow(this, StreamDirection.UPSTREAM);
    private final DirectionFlow downstream = new DirectionFlow(this, StreamDirection.DOWNSTREAM);
    private Channel server;
    private boolean established;
    private CloseReason firstFin;
    private CloseReason reason;

    Connection(Proxy proxy, long id, Channel client, long randomSeed) {
        this.proxy = proxy;
        this.id = id;
        this.client = client;
        this.loop = client.eventLoop();
        this.randomSeed = randomSeed;
    }

    public long id() {
        return id;
    }

    public InetSocketAddress clientAddress() {
        return (InetSocketAddress) client.remoteAddress();
    }

    public long acceptedEpochMillis() {
        return acceptedEpochMillis;
    }

    EventLoop eventLoop() {
        return loop;
    }

    boolean established() {
        return established && reason == null;
    }

    Channel channel(Leg leg) {
        return leg == Leg.CLIENT ? client : server;
    }

    ByteBufAllocator alloc() {
        return client.alloc();
    }

    long maxHeldBytes() {
        return proxy.engine().config().maxHeldBytes();
    }

    /** Called on the event loop once the client's channel is registered: dial the upstream. */
    void start() {
        client.pipeline().addLast(new LegHandler(this, Leg.CLIENT));
        publish(EventType.ACCEPTED, Leg.CLIENT, null, 0);
        HostPort target = proxy.upstreamAddress();
        publish(EventType.DIAL_STARTED, Leg.SERVER, target.toString(), 0);
        long dialStart = System.nanoTime();
        proxy.engine().resolver().resolve(target, loop).addListener(resolved -> {
            if (reason != null) {
                return;
            }
            if (!resolved.isSuccess()) {
                dialFailed(resolved.cause(), dialStart);
                return;
            }
            dial((InetSocketAddress) resolved.getNow(), dialStart);
        });
    }

    private void dial(InetSocketAddress address, long dialStart) {
        EngineConfig config = proxy.engine().config();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(proxy.engine().transport().socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, proxy.engine().waterMark())
                .option(ChannelOption.ALLOCATOR, client.alloc())
                .handler(new LegHandler(this, Leg.SERVER));
        ChannelFuture connect = bootstrap.connect(address);
        server = connect.channel();
        connect.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                dialFailed(f.cause(), dialStart);
            } else if (reason != null) {
                f.channel().close();
            } else {
                publish(EventType.UPSTREAM_CONNECTED, Leg.SERVER, "connected", System.nanoTime() - dialStart);
                beginForwarding();
            }
        });
    }

    private void dialFailed(Throwable cause, long dialStart) {
        if (reason != null) {
            return;
        }
        CloseReason why = classifyDialFailure(cause);
        String outcome = why.label().replace("upstream_", "");
        publish(EventType.UPSTREAM_FAILED, Leg.SERVER, outcome, System.nanoTime() - dialStart);
        // The client connected to us already; a reset is the closest thing to what a refused server looks like.
        finish(why, Leg.CLIENT, true);
    }

    private static CloseReason classifyDialFailure(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return CloseReason.UPSTREAM_TIMEOUT;
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (cause instanceof NoRouteToHostException || cause instanceof UnknownHostException
                || message.contains("unreachable")) {
            return CloseReason.UPSTREAM_UNREACHABLE;
        }
        if (cause instanceof ConnectException || message.contains("refused")) {
            return CloseReason.UPSTREAM_REFUSED;
        }
        return CloseReason.ERROR;
    }

    private void beginForwarding() {
        established = true;
        for (Toxic toxic : proxy.toxicsSnapshot()) {
            attach(toxic);
        }
        if (reason != null) {
            return; // a toxic (reset_peer with timeout 0) already ended it
        }
        upstream.updateReadInterest();
        downstream.updateReadInterest();
    }

    // ---- toxic changes arriving from the control plane, always run on this connection's loop ----

    void attach(Toxic toxic) {
        if (established && reason == null) {
            flow(toxic.stream()).attach(toxic);
        }
    }

    void detach(Toxic toxic) {
        if (established && reason == null) {
            flow(toxic.stream()).detach(toxic.name());
        }
    }

    void replace(Toxic toxic) {
        if (established && reason == null) {
            flow(toxic.stream()).replace(toxic);
        }
    }

    private DirectionFlow flow(StreamDirection direction) {
        return direction == StreamDirection.UPSTREAM ? upstream : downstream;
    }

    private DirectionFlow flowFrom(Leg sender) {
        return sender == Leg.CLIENT ? upstream : downstream;
    }

    // ---- events from the two legs ----

    void onRead(Leg leg, io.netty.buffer.ByteBuf data) {
        flowFrom(leg).onRead(data);
    }

    void onInputShutdown(Leg leg) {
        if (reason != null) {
            return;
        }
        publish(EventType.FIN, leg, null, 0);
        if (firstFin == null) {
            firstFin = CloseReason.fin(leg);
        }
        flowFrom(leg).onSenderEnd();
    }

    void onWritabilityChanged(Leg leg) {
        // The leg that became (un)writable is the receiver of the flow coming from the other leg.
        flowFrom(leg.other()).updateReadInterest();
    }

    void onEndDelivered(DirectionFlow flow) {
        if (reason == null && upstream.endDelivered() && downstream.endDelivered()) {
            finish(firstFin, null, false);
        }
    }

    void onException(Leg leg, Throwable cause) {
        if (reason != null) {
            return;
        }
        if (isReset(cause)) {
            publish(EventType.RST, leg, null, 0);
            finish(CloseReason.rst(leg), leg.other(), true);
        } else {
            finish(CloseReason.ERROR, leg.other(), true);
        }
    }

    void onWriteFailed(Leg leg, Throwable cause) {
        if (reason != null || cause instanceof ClosedChannelException) {
            if (reason == null) {
                onInactive(leg);
            }
            return;
        }
        onException(leg, cause);
    }

    void onInactive(Leg leg) {
        if (reason != null) {
            return;
        }
        if (leg == Leg.SERVER && !established) {
            return; // a failed dial reports itself through the connect future
        }
        finish(firstFin != null ? firstFin : CloseReason.ERROR, leg.other(), false);
    }

    static boolean isReset(Throwable cause) {
        if (!(cause instanceof IOException)) {
            return false;
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        return message.contains("connection reset") || message.contains("broken pipe");
    }

    // ---- ending ----

    void resetByToxic(String toxicName) {
        if (reason == null) {
            finish(CloseReason.TOXIC, null, true);
        }
    }

    void closeByToxic(String toxicName) {
        if (reason == null) {
            finish(CloseReason.TOXIC, null, false);
        }
    }

    /** Ends the connection from outside (proxy disabled or deleted). Safe from any thread. */
    void closeFromControl(CloseReason why) {
        loop.execute(() -> {
            if (reason == null) {
                finish(why, null, false);
            }
        });
    }

    /**
     * Ends the connection once. {@code only} limits the close to one leg (the other is already closing by itself),
     * null closes both; {@code abortive} sends RST (SO_LINGER 0) instead of FIN.
     */
    private void finish(CloseReason why, Leg only, boolean abortive) {
        if (reason != null) {
            return;
        }
        reason = why;
        upstream.close();
        downstream.close();
        for (Leg leg : Leg.values()) {
            if (only == null || only == leg) {
                close(channel(leg), abortive);
            } else {
                Channel c = channel(leg);
                if (c != null) {
                    c.close();
                }
            }
        }
        publish(EventType.CLOSED, null, why.label(), System.nanoTime() - acceptedNanos);
        proxy.forget(this);
    }

    private static void close(Channel channel, boolean abortive) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        if (abortive) {
            if (channel.isActive()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            }
            channel.close();
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---- bookkeeping ----

    void countBytes(StreamDirection direction, int bytes) {
        proxy.bytesCounter(direction).increment(bytes);
    }

    void firstByte(Leg sender) {
        publish(EventType.FIRST_BYTE, sender, null, 0);
    }

    void toxicApplied(Toxic toxic, StreamDirection direction) {
        publish(EventType.TOXIC_APPLIED, null, toxic.type().name(), 0);
    }

    Random randomFor(String toxicName, StreamDirection direction) {
        long seed = randomSeed;
        seed = seed * 31 + toxicName.hashCode();
        seed = seed * 31 + direction.ordinal();
        return new Random(seed);
    }

    private void publish(EventType type, Leg leg, String detail, long durationNanos) {
        proxy.engine().events().publish(new ConnectionEvent(proxy.name(), id, type,
                System.nanoTime() - acceptedNanos, leg == null ? null : leg.label(), detail, durationNanos));
    }
}
