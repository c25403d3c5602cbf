package io.chaosproxy.engine;

import io.chaosproxy.event.ConnectionEvent;
import io.chaosproxy.event.EventType;
import io.chaosproxy.toxic.StreamDirection;
import io.chaosproxy.toxic.Toxic;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.timeline.Timeline;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.DialControl;
import io.chaosproxy.toxic.Phase;
import io.netty.util.concurrent.ScheduledFuture;

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
    private final Timeline timeline = new Timeline();
    private final Map<AtomicLong, Boolean> selections = new HashMap<>();
    private volatile long bytesUpstream;
    private volatile long bytesDownstream;
    private ConnectGate activeGate;
    private TcpInfoSampler tcpInfo;
    private boolean flushBeforeReset;
    private final boolean[] resetWatch = new boolean[2];
    private final boolean[] finalSampleTaken = new boolean[2];
    private long clientFirstByteNanos;
    private volatile Channel server;
    private boolean established;
    private CloseReason firstFin;
    private CloseReason reason;

    Connection(Proxy proxy, long id, Channel client, EventLoop loop, long randomSeed) {
        this.proxy = proxy;
        this.id = id;
        this.client = client;
        this.loop = loop;
        this.randomSeed = randomSeed;
    }

    public long id() {
        return id;
    }

    public InetSocketAddress clientAddress() {
        return (InetSocketAddress) client.remoteAddress();
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

    /** How much a sender may send before the upstream is connected before reading from it pauses. */
    long earlyLimitBytes() {
        return proxy.engine().config().writeBufferHighBytes();
    }

    boolean otherDirectionEnded(DirectionFlow flow) {
        return (flow == upstream ? downstream : upstream).endDelivered();
    }

    long maxHeldBytes() {
        return proxy.engine().config().maxHeldBytes();
    }

    /**
     * Called on the event loop once the client's channel is registered: run the connect-phase toxics, then dial
     * the upstream.
     */
    void start() {
        publish(EventType.ACCEPTED, Leg.CLIENT, String.valueOf(clientAddressText()), 0);
        List<Toxic> gates = new ArrayList<>();
        for (Toxic t : proxy.toxicsSnapshot()) {
            if (t.type().phase() == Phase.CONNECT && selected(t)
                    && randomFor(t, t.stream()).nextDouble() < t.toxicity()) {
                gates.add(t);
            }
        }
        runGate(gates, 0);
    }

    /** Passes the client through each applying connect-phase toxic in turn; the last one's proceed dials. */
    private void runGate(List<Toxic> gates, int index) {
        if (reason != null) {
            return;
        }
        if (index == gates.size()) {
            activeGate = null;
            startDial();
            return;
        }
        Toxic toxic = gates.get(index);
        ConnectGate gate = toxic.type().newConnectGate(toxic.attributes());
        if (gate == null) {
            runGate(gates, index + 1);
            return;
        }
        activeGate = gate;
        toxicApplied(toxic, toxic.stream());
        gate.beforeDial(new DialControl() {
            private boolean decided;

            @Override
            public void proceed() {
                if (decide()) {
                    runGate(gates, index + 1);
                }
            }

            @Override
            public void resetClient() {
                if (decide()) {
                    finish(CloseReason.TOXIC, Leg.CLIENT, true);
                }
            }

            @Override
            public void closeClient() {
                if (decide()) {
                    finish(CloseReason.TOXIC, Leg.CLIENT, false);
                }
            }

            @Override
            public ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
                return loop.schedule(() -> {
                    if (reason == null) {
                        task.run();
                    }
                }, delay, unit);
            }

            private boolean decide() {
                if (decided || reason != null) {
                    return false;
                }
                decided = true;
                return true;
            }
        });
    }

    private void startDial() {
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

    /**
     * Opens the server leg on this connection's own loop. No Bootstrap: it would copy its option map into every
     * channel and hop through the loop's task queue before connecting; here the loop is ours already.
     */
    private void dial(InetSocketAddress address, long dialStart) {
        EngineConfig config = proxy.engine().config();
        SocketChannel channel = proxy.engine().transport().newSocketChannel(address.getAddress());
        SocketChannelConfig options = channel.config();
        options.setConnectTimeoutMillis(config.connectTimeoutMillis());
        options.setAllowHalfClosure(true);
        options.setWriteBufferWaterMark(proxy.engine().waterMark());
        options.setAllocator(client.alloc());
        channel.pipeline().addLast(new LegHandler(this, Leg.SERVER));
        server = channel;
        // Registering from the channel's own loop completes at once, so the listener runs right here.
        loop.register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                channel.unsafe().closeForcibly();
                dialFailed(registered.cause(), dialStart);
            } else if (reason != null) {
                channel.close();
            } else {
                connect(channel, address, dialStart);
            }
        });
    }

    private void connect(Channel channel, InetSocketAddress address, long dialStart) {
        channel.connect(address).addListener((ChannelFutureListener) f -> {
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
        if (TcpInfoSampler.supported(client)) {
            // Sampled at close, and every few seconds by the registry's sampler while open (no timer per connection).
            tcpInfo = new TcpInfoSampler(proxy.name(), proxy.engine().metrics());
        }
        for (Toxic toxic : proxy.toxicsSnapshot()) {
            attach(toxic);
        }
        if (reason != null) {
            return; // a toxic (reset_peer with timeout 0) already ended it
        }
        upstream.begin();
        downstream.begin();
        upstream.updateReadInterest();
        downstream.updateReadInterest();
    }

    // ---- toxic changes arriving from the control plane, always run on this connection's loop ----

    void attach(Toxic toxic) {
        if (established && reason == null && toxic.type().phase() != Phase.CONNECT && selected(toxic)) {
            flow(toxic.stream()).attach(toxic);
        }
    }

    /**
     * Whether a toxic is armed and its selector picks this connection. Judged once per connection and toxic, so
     * the selector's count moves once per connection however often the toxic is re-attached (updates).
     */
    private boolean selected(Toxic toxic) {
        if (!toxic.armed()) {
            return false;
        }
        return selections.computeIfAbsent(toxic.connectionsSeen(), seen -> {
            long index = seen.incrementAndGet();
            return toxic.selector() == null
                    || toxic.selector().matches(index, clientAddress() == null ? null : clientAddress().getAddress());
        });
    }

    void detach(Toxic toxic) {
        if (established && reason == null) {
            flow(toxic.stream()).detach(toxic.name());
        }
    }

    void replace(Toxic toxic) {
        if (established && reason == null && toxic.type().phase() != Phase.CONNECT) {
            if (selected(toxic)) {
                flow(toxic.stream()).replace(toxic);
            } else {
                flow(toxic.stream()).detach(toxic.name());
            }
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

    /**
     * A read or a write on this leg failed. A write that raced with the channel's close is not an error: the leg is
     * just gone. A reset becomes a reset on the other leg; anything else ends the connection as an error.
     */
    void onError(Leg leg, Throwable cause) {
        if (reason != null) {
            return;
        }
        if (cause instanceof ClosedChannelException) {
            onInactive(leg);
        } else if (isReset(cause)) {
            publish(EventType.RST, leg, null, 0);
            finish(CloseReason.rst(leg), leg.other(), true);
        } else {
            finish(CloseReason.ERROR, leg.other(), true);
        }
    }

    void onInactive(Leg leg) {
        if (reason != null) {
            return;
        }
        if (leg == Leg.SERVER && !established) {
            return; // a failed dial reports itself through the connect future
        }
        if (flowFrom(leg.other()).endDelivered() && !flowFrom(leg).senderEnded()) {
            // This side had our FIN already, so its channel closes at its own FIN (see finSent) instead of
            // half-closing: that close is its FIN. A read error would have come first, through onError.
            onInputShutdown(leg);
            return;
        }
        finish(firstFin != null ? firstFin : CloseReason.ERROR, leg.other(), false);
    }

    /**
     * Our FIN reached this leg. From now on its own FIN can only end things, so let its channel close on it rather
     * than half-close: a half-close would call shutdown(SHUT_RD) on a socket the kernel has usually closed by then
     * (both FINs exchanged), which fails and costs Netty an exception with a stack trace on every connection.
     */
    void finSent(Leg leg) {
        Channel channel = channel(leg);
        if (tcpInfo != null && channel != null && reason == null) {
            // Its closing TCP_INFO sample, taken now: its channel closes by itself at its FIN, before finish().
            tcpInfo.sample(leg, channel);
            finalSampleTaken[leg.ordinal()] = true;
        }
        if (channel != null && channel.config() instanceof SocketChannelConfig) {
            ((SocketChannelConfig) channel.config()).setAllowHalfClosure(false);
        }
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
            // Bytes the toxic let through before the RST are written first, as a real peer's would be.
            flushBeforeReset = true;
            finish(CloseReason.TOXIC, null, true);
        }
    }

    /** A periodic TCP_INFO sample while the connection is open; call from any thread. */
    void sampleTcpInfoLater() {
        loop.execute(() -> {
            if (tcpInfo != null && reason == null) {
                sampleTcpInfo();
            }
        });
    }

    private void sampleTcpInfo() {
        tcpInfo.sample(Leg.CLIENT, client);
        if (server != null) {
            tcpInfo.sample(Leg.SERVER, server);
        }
    }

    void closeByToxic(String toxicName) {
        if (reason == null) {
            finish(CloseReason.TOXIC, null, false);
        }
    }

    /** Waits (up to the given time) until both channels are closed; returns at once on the connection's own loop. */
    void awaitClosed(long timeoutNanos) {
        if (loop.inEventLoop()) {
            return;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        client.closeFuture().awaitUninterruptibly(TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
        Channel serverChannel = server;
        if (serverChannel != null) {
            serverChannel.closeFuture().awaitUninterruptibly(
                    Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
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
        if (activeGate != null) {
            activeGate.onClose();
        }
        if (tcpInfo != null) {
            // The closing sample; a leg that had our FIN was sampled then (its channel may be closed by now).
            for (Leg leg : Leg.values()) {
                if (!finalSampleTaken[leg.ordinal()] && channel(leg) != null) {
                    tcpInfo.sample(leg, channel(leg));
                }
            }
        }
        proxy.engine().metrics().connectionClosed(proxy.name(), bytesUpstream, bytesDownstream);
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

    private void close(Channel channel, boolean abortive) {
        if (channel == null || !channel.isOpen()) {
            return;
        }
        if (abortive && flushBeforeReset) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> abort(channel));
            // A receiver that does not read must not postpone the RST for ever.
            channel.eventLoop().schedule(() -> abort(channel), 500, TimeUnit.MILLISECONDS);
        } else if (abortive) {
            abort(channel);
        } else if (HalfClose.nothingQueued(channel)) {
            channel.close();
        } else {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes with an RST (SO_LINGER 0) rather than a FIN. */
    private static void abort(Channel channel) {
        if (channel.isActive()) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }

    // ---- bookkeeping ----

    void countBytes(StreamDirection direction, int bytes) {
        proxy.bytesCounter(direction).increment(bytes);
        if (direction == StreamDirection.UPSTREAM) {
            bytesUpstream += bytes;
        } else {
            bytesDownstream += bytes;
        }
    }

    /**
     * The first byte from one side. For the server's, the event carries how long after the client's first byte it
     * came (how long the server took to answer); 0 when the server spoke first.
     */
    void firstByte(Leg sender) {
        long now = System.nanoTime();
        if (sender == Leg.CLIENT) {
            clientFirstByteNanos = now;
        }
        long answerTime = sender == Leg.SERVER && clientFirstByteNanos != 0 ? now - clientFirstByteNanos : 0;
        publish(EventType.FIRST_BYTE, sender, null, answerTime);
    }

    void toxicApplied(Toxic toxic, StreamDirection direction) {
        publish(EventType.TOXIC_APPLIED, null, toxic.type().name(), 0);
    }

    /**
     * The random source of one toxic on this connection: from the toxic's own seed and this connection's number
     * when it has one, else from the connection's seed (itself from {@code --seed} when given), so the same seed
     * and the same sequence of connections replay the same choices.
     */
    /** Whether this leg's side has sent its FIN (we read its end of stream). */
    boolean hasSentFin(Leg leg) {
        return flowFrom(leg).senderEnded();
    }

    /**
     * After a write to a leg whose side already sent its FIN: that side may answer with an RST (its program has
     * closed), which reads no longer report. Look at the socket's TCP state shortly after (1, 10, 100, 1000 ms) so
     * the RST reaches the other side at once rather than at the next write.
     */
    void watchForResetAfterFin(Leg leg) {
        if (resetWatch[leg.ordinal()] || !TcpInfoSampler.supported(channel(leg))) {
            return;
        }
        resetWatch[leg.ordinal()] = true;
        checkResetAfterFin(leg, 1);
    }

    private void checkResetAfterFin(Leg leg, long delayMillis) {
        loop.schedule(() -> {
            if (reason != null) {
                return;
            }
            if (TcpInfoSampler.resetByPeer(channel(leg))) {
                publish(EventType.RST, leg, "after its FIN", 0);
                finish(CloseReason.rst(leg), leg.other(), true);
            } else if (delayMillis < 1000) {
                checkResetAfterFin(leg, delayMillis * 10);
            } else {
                resetWatch[leg.ordinal()] = false;
            }
        }, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** A toxic acted: shown in the timeline against the leg that feels it. */
    void toxicAction(String toxicName, String action, Leg affected) {
        publish(EventType.TOXIC_ACTION, affected, toxicName + ": " + action, 0);
    }

    Random randomFor(Toxic toxic, StreamDirection direction) {
        long seed = toxic.seed() != null ? toxic.seed() * 1_000_003L + id : randomSeed;
        seed = seed * 31 + toxic.name().hashCode();
        seed = seed * 31 + direction.ordinal();
        return new Random(seed);
    }

    private void publish(EventType type, Leg leg, String detail, long durationNanos) {
        ConnectionEvent event = new ConnectionEvent(proxy.name(), id, type, System.nanoTime() - acceptedNanos,
                leg == null ? null : leg.label(), detail, durationNanos);
        timeline.add(event);
        proxy.engine().events().publish(event);
    }

    private String clientAddressText() {
        return addressText(clientAddress());
    }

    private static String addressText(InetSocketAddress a) {
        return a == null ? "?" : new HostPort(a.getAddress().getHostAddress(), a.getPort()).toString();
    }

    private int serverLocalPort() {
        return server != null && server.localAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) server.localAddress()).getPort() : 0;
    }

    /** A snapshot for the API; byte counts are read racily, which is fine for display. */
    public ConnectionSummary summary() {
        String state;
        if (reason != null) {
            state = "closed";
        } else if (!established) {
            state = "connecting";
        } else if (firstFin != null) {
            state = "half_closed";
        } else {
            state = "open";
        }
        return summaryOf(proxy.name(), id, clientAddress(), acceptedEpochMillis, state, bytesUpstream,
                bytesDownstream, reason == null ? null : reason.label(), timeline, serverLocalPort());
    }

    /**
     * What is kept once closed: the final figures, made into a summary only if the API asks (most closed
     * connections are never looked at, and building every summary at close costs each connection).
     */
    Supplier<ConnectionSummary> closedSummary() {
        String proxyName = proxy.name();
        InetSocketAddress clientAddress = clientAddress();
        long up = bytesUpstream;
        long down = bytesDownstream;
        String closeReason = reason == null ? null : reason.label();
        int serverPort = serverLocalPort();
        Timeline events = timeline;
        long accepted = acceptedEpochMillis;
        long connectionId = id;
        return () -> summaryOf(proxyName, connectionId, clientAddress, accepted, "closed", up, down, closeReason,
                events, serverPort);
    }

    private static ConnectionSummary summaryOf(String proxyName, long id, InetSocketAddress clientAddress,
            long acceptedEpochMillis, String state, long up, long down, String closeReason, Timeline timeline,
            int serverLocalPort) {
        return new ConnectionSummary(proxyName, id, addressText(clientAddress), acceptedEpochMillis, state, up, down,
                closeReason, timeline.snapshot(), timeline.dropped(), clientAddress == null ? 0 : clientAddress.getPort(),
                serverLocalPort);
    }
}
