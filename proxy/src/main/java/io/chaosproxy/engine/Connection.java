package io.chaosproxy.engine;

import io.chaosproxy.model.CloseReason;
import io.chaosproxy.model.DialOutcome;
import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.toxic.Applicability;
import io.chaosproxy.toxic.ConnectToxicType;
import io.chaosproxy.toxic.StreamToxicType;
import io.chaosproxy.toxic.TlsToxicType;
import io.chaosproxy.toxic.Toxic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannelConfig;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * One proxied connection: the client's channel, the channel dialled to the upstream, and a {@link DirectionFlow}
 * each way, driven through the states of {@link ConnectionState}. It decides what happens; the parts that do it
 * live beside it: {@link ConnectGates} (connect-phase toxics), {@link Dialer}, {@link ChannelClosing} (teardown),
 * {@link TcpInfoSampler} and {@link ResetAfterFinWatch} (the kernel's view), {@link ConnectionLog} (events, timeline,
 * summaries). Both channels share one event loop, so everything here runs single-threaded.
 */
public final class Connection implements Dialer.Listener, ConnectGates.Owner, ResetAfterFinWatch.Owner {
    /** Both legs; {@code Leg.values()} would copy its array at every close. */
    private static final Leg[] LEGS = Leg.values();
    private final Proxy proxy;
    private final long id;
    private final Channel client;
    private final EventLoop loop;
    private final long randomSeed;
    private final ConnectionLog log;
    private final DirectionFlow upstream = new DirectionFlow(this, Direction.UPSTREAM);
    private final DirectionFlow downstream = new DirectionFlow(this, Direction.DOWNSTREAM);
    /** The TLS reader, only on connections of proxies that want one (see {@link Proxy#wantsTlsReader}). */
    private final TlsHandshake tls;
    /**
     * Each toxic's selector verdict for this connection, judged once (keyed by the toxic's candidate counter). Made
     * on first use: a proxy without toxics never needs it.
     */
    private Map<AtomicLong, Boolean> selections;
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile Channel server;
    private volatile long bytesUpstream;
    private volatile long bytesDownstream;
    private ConnectGates gates;
    private TcpInfoSampler tcpInfo;
    private ResetAfterFinWatch resetWatch;
    private long clientFirstByteNanos;
    /** The FIN that came first, which names the close when both directions end normally. */
    private CloseReason firstFin;
    private CloseReason reason;
    private boolean flushBeforeReset;

    Connection(Proxy proxy, long id, Channel client, EventLoop loop, long randomSeed) {
        this.proxy = proxy;
        this.id = id;
        this.client = client;
        this.loop = loop;
        this.randomSeed = randomSeed;
        this.log = new ConnectionLog(proxy.name(), id, proxy.engine().events());
        this.tls = proxy.wantsTlsReader() ? new TlsHandshake(this, log, upstream, downstream) : null;
    }

    /** The TLS reader, or null: the flows hand their bytes to it while it reads. */
    TlsHandshake tls() {
        return tls;
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

    /** Whether bytes may flow: the upstream is connected and the connection has not ended. */
    boolean established() {
        return state.forwarding();
    }

    @Override
    public boolean ended() {
        return state == ConnectionState.CLOSED;
    }

    @Override
    public Channel channel(Leg leg) {
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

    // ---- the one place the state changes ----

    private void moveTo(ConnectionState next) {
        if (!state.canMoveTo(next)) {
            throw new IllegalStateException("connection " + id + ": " + state + " -> " + next);
        }
        state = next;
    }

    // ---- connecting: connect-phase toxics, then the dial ----

    /** Called on the event loop once the client's channel is registered. */
    void start() {
        log.accepted(clientAddress());
        List<Toxic> applying = null;
        for (Toxic t : proxy.toxicsSnapshot()) {
            if (t.armed()) {
                t.trafficSeen().incrementAndGet();
            }
            if (t.type() instanceof ConnectToxicType && selected(t)
                    && Applicability.draw(t, randomFor(t, t.stream()))) {
                if (applying == null) {
                    applying = new ArrayList<>(2);
                }
                applying.add(t);
            }
        }
        if (applying == null) {
            allPassed();
        } else {
            gates = new ConnectGates(applying, this, loop);
            gates.run();
        }
    }

    @Override
    public void gateApplied(Toxic toxic) {
        toxicApplied(toxic);
    }

    @Override
    public void refuseClient(boolean reset) {
        finish(CloseReason.TOXIC, Leg.CLIENT, reset);
    }

    /** Every connect-phase toxic let the client through: dial. */
    @Override
    public void allPassed() {
        Proxy.Upstream target = proxy.upstream();
        log.dialStarted(target.text());
        proxy.engine().dialer().dial(target.address(), target.literal(), loop, client.alloc(), new LegHandler(this, Leg.SERVER),
                this);
    }

    @Override
    public boolean stillWanted() {
        return !ended();
    }

    @Override
    public void channelCreated(Channel channel) {
        server = channel;
    }

    @Override
    public void connected(long dialNanos) {
        log.dialEnded(DialOutcome.CONNECTED, dialNanos);
        moveTo(firstFin == null ? ConnectionState.OPEN : ConnectionState.HALF_CLOSED);
        // TCP_INFO: every few seconds by the registry's sampler while open (no timer per connection), and at close on
        // one connection in N (see EngineConfig.tcpInfoSampleEvery) or on any connection sampled while open.
        if (proxy.engine().config().takesClosingTcpInfoSample(id)) {
            tcpInfo();
        }
        for (Toxic toxic : proxy.toxicsSnapshot()) {
            attach(toxic);
        }
        if (ended()) {
            return; // a toxic (reset_peer with timeout 0) already ended it
        }
        upstream.begin();
        downstream.begin();
        upstream.updateReadInterest();
        downstream.updateReadInterest();
    }

    @Override
    public void failed(DialOutcome outcome, long dialNanos) {
        log.dialEnded(outcome, dialNanos);
        // The client connected to us already; a reset is the closest thing to what a refused server looks like.
        finish(outcome.closeReason(), Leg.CLIENT, true);
    }

    // ---- toxic changes arriving from the control plane, always run on this connection's loop ----

    /** A toxic was just armed on this open connection's proxy (added, or its schedule started). */
    void toxicArmed(Toxic toxic) {
        toxic.trafficSeen().incrementAndGet();
        attach(toxic);
    }

    void attach(Toxic toxic) {
        if (established() && toxic.type() instanceof StreamToxicType && selected(toxic)) {
            flow(toxic.stream()).attach(toxic);
        } else if (tls != null && established() && toxic.type() instanceof TlsToxicType && selected(toxic)) {
            tls.attach(toxic, randomFor(toxic, toxic.stream()));
        }
    }

    void detach(Toxic toxic) {
        if (established()) {
            flow(toxic.stream()).detach(toxic.name());
            if (tls != null) {
                tls.detach(toxic.name());
            }
        }
    }

    void replace(Toxic toxic) {
        if (tls != null && toxic.type() instanceof TlsToxicType) {
            detach(toxic);
            attach(toxic);
        } else if (established() && toxic.type() instanceof StreamToxicType) {
            if (selected(toxic)) {
                flow(toxic.stream()).replace(toxic);
            } else {
                flow(toxic.stream()).detach(toxic.name());
            }
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
        if (selections == null) {
            selections = new HashMap<>(4);
        }
        return selections.computeIfAbsent(toxic.connectionsSeen(), seen -> Applicability.selects(toxic,
                seen.incrementAndGet(), clientAddress() == null ? null : clientAddress().getAddress()));
    }

    /** The random source of one toxic on this connection (see {@link Applicability#random}). */
    Random randomFor(Toxic toxic, Direction direction) {
        return Applicability.random(toxic, direction, id, randomSeed);
    }

    private DirectionFlow flow(Direction direction) {
        return direction == Direction.UPSTREAM ? upstream : downstream;
    }

    private DirectionFlow flowFrom(Leg sender) {
        return sender == Leg.CLIENT ? upstream : downstream;
    }

    // ---- events from the two legs ----

    void onRead(Leg leg, ByteBuf data) {
        flowFrom(leg).onRead(data);
    }

    void onInputShutdown(Leg leg) {
        if (ended()) {
            return;
        }
        log.fin(leg);
        if (firstFin == null) {
            firstFin = CloseReason.fin(leg);
            if (state == ConnectionState.OPEN) {
                moveTo(ConnectionState.HALF_CLOSED);
            }
        }
        flowFrom(leg).onSenderEnd();
    }

    void onWritabilityChanged(Leg leg) {
        // The leg that became (un)writable is the receiver of the flow coming from the other leg.
        flowFrom(leg.other()).updateReadInterest();
    }

    void onEndDelivered(DirectionFlow flow) {
        if (!ended() && upstream.endDelivered() && downstream.endDelivered()) {
            finish(firstFin, null, false);
        }
    }

    /**
     * A read or a write on this leg failed. A write that raced with the channel's close is not an error: the leg is
     * just gone. A reset becomes a reset on the other leg; anything else ends the connection as an error.
     */
    void onError(Leg leg, Throwable cause) {
        if (ended()) {
            return;
        }
        if (cause instanceof ClosedChannelException) {
            onInactive(leg);
        } else if (DialFailures.isReset(cause)) {
            log.rst(leg, null);
            finish(CloseReason.rst(leg), leg.other(), true);
        } else {
            finish(CloseReason.ERROR, leg.other(), true);
        }
    }

    void onInactive(Leg leg) {
        if (ended()) {
            return;
        }
        if (leg == Leg.SERVER && state == ConnectionState.CONNECTING) {
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
        if (tcpInfo != null && !ended()) {
            tcpInfo.finalSample(leg, channel);
        }
        if (channel != null && channel.config() instanceof SocketChannelConfig config) {
            config.setAllowHalfClosure(false);
        }
    }

    /** Whether this leg's side has sent its FIN (we read its end of stream). */
    boolean hasSentFin(Leg leg) {
        return flowFrom(leg).senderEnded();
    }

    /** We wrote to a leg whose side had sent its FIN: watch for its RST (see {@link ResetAfterFinWatch}). */
    void watchForResetAfterFin(Leg leg) {
        if (resetWatch == null) {
            resetWatch = new ResetAfterFinWatch(this, loop);
        }
        resetWatch.start(leg);
    }

    @Override
    public void resetAfterFin(Leg leg) {
        log.rst(leg, "after its FIN");
        finish(CloseReason.rst(leg), leg.other(), true);
    }

    /** A periodic TCP_INFO sample while the connection is open; call from any thread. */
    void sampleTcpInfoLater() {
        loop.execute(() -> {
            if (established() && tcpInfo() != null) {
                tcpInfo.sample(Leg.CLIENT, client);
                tcpInfo.sample(Leg.SERVER, server);
            }
        });
    }

    /** This connection's TCP_INFO sampler, made on first use; null where the transport cannot read TCP_INFO. */
    private TcpInfoSampler tcpInfo() {
        if (tcpInfo == null && TcpInfoSampler.supported(client)) {
            tcpInfo = new TcpInfoSampler(proxy.name(), proxy.engine().metrics());
        }
        return tcpInfo;
    }

    // ---- ending ----

    void resetByToxic() {
        if (!ended()) {
            // Bytes the toxic let through before the RST are written first, as a real peer's would be.
            flushBeforeReset = true;
            finish(CloseReason.TOXIC, null, true);
        }
    }

    void closeByToxic() {
        if (!ended()) {
            finish(CloseReason.TOXIC, null, false);
        }
    }

    /** Ends the connection from outside (proxy disabled or deleted). Safe from any thread. */
    void closeFromControl(CloseReason why) {
        loop.execute(() -> {
            if (!ended()) {
                finish(why, null, false);
            }
        });
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

    /**
     * Ends the connection once. {@code only} limits the abortive or graceful choice to one leg (the other is
     * closing by itself and just closes), null applies it to both; {@code abortive} sends RST instead of FIN.
     */
    private void finish(CloseReason why, Leg only, boolean abortive) {
        if (ended()) {
            return;
        }
        reason = why;
        // The closed event first: a summary read meanwhile that says "closed" then always ends with it.
        log.closed(why);
        moveTo(ConnectionState.CLOSED);
        if (gates != null) {
            gates.connectionEnded();
        }
        if (tcpInfo != null) {
            for (Leg leg : LEGS) {
                tcpInfo.finalSample(leg, channel(leg));
            }
        }
        proxy.engine().metrics().connectionClosed(proxy.name(), bytesUpstream, bytesDownstream);
        upstream.close();
        downstream.close();
        for (Leg leg : LEGS) {
            Channel channel = channel(leg);
            if (only == null || only == leg) {
                ChannelClosing.close(channel, abortive, flushBeforeReset);
            } else if (channel != null) {
                channel.close();
            }
        }
        proxy.forget(this);
    }

    // ---- bookkeeping ----

    void countBytes(Direction direction, int bytes) {
        proxy.bytesCounter(direction).increment(bytes);
        if (direction == Direction.UPSTREAM) {
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
        log.firstByte(sender, answerTime);
    }

    void toxicApplied(Toxic toxic) {
        log.toxicApplied(toxic.type().name());
    }

    /** A toxic acted: shown in the timeline against the leg that feels it. */
    void toxicAction(String toxicName, ToxicAction action, Leg affected) {
        log.toxicAction(affected, toxicName, action);
    }

    private int serverLocalPort() {
        Channel s = server;
        return s != null && s.localAddress() instanceof InetSocketAddress local ? local.getPort() : 0;
    }

    /** A snapshot for the API; byte counts are read racily, which is fine for display. */
    public ConnectionSummary summary() {
        return log.summary(clientAddress(), state.label(), bytesUpstream, bytesDownstream, reason, serverLocalPort());
    }

    /** What is kept once closed (see {@link ConnectionLog#closedSummary}). */
    Supplier<ConnectionSummary> closedSummary() {
        return log.closedSummary(clientAddress(), bytesUpstream, bytesDownstream, reason, serverLocalPort());
    }
}
