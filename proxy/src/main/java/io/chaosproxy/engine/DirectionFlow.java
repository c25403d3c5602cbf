package io.chaosproxy.engine;

import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.StageContext;
import io.chaosproxy.model.Direction;
import io.chaosproxy.toxic.Applicability;
import io.chaosproxy.toxic.StreamToxicType;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One direction of a connection: bytes read from the sending leg pass through the chain of toxic stages that apply
 * to this connection and direction, then are written to the receiving leg. Reading from the sender follows the
 * receiver's writability and what the stages hold, so nothing buffers without bound. Runs on the connection's
 * event loop only.
 */
final class DirectionFlow {
    private final Connection connection;
    private final Direction direction;
    private final Leg sender;
    private final Leg receiver;
    private final List<StageNode> stages = new ArrayList<>();
    private long heldBytes;
    private int toxicPauses;
    private boolean senderEnded;
    /** What the sender sent before the upstream was connected; made only when that happens (most never need it). */
    private java.util.ArrayDeque<ByteBuf> early;
    private boolean earlyEnd;
    private long earlyBytes;
    private boolean endDelivered;
    private boolean firstByteSeen;
    private boolean closed;
    /** The connection's TLS reader while it reads this direction; null once bypassed (or on a plain proxy). */
    private TlsHandshake tls;

    DirectionFlow(Connection connection, Direction direction) {
        this.connection = connection;
        this.direction = direction;
        this.sender = direction == Direction.UPSTREAM ? Leg.CLIENT : Leg.SERVER;
        this.receiver = sender.other();
    }

    boolean endDelivered() {
        return endDelivered;
    }

    /** Bytes read from the sender; this flow owns {@code data}. */
    void onRead(ByteBuf data) {
        if (closed) {
            data.release();
            return;
        }
        if (!connection.established()) {
            // Read before the upstream is connected (or while a connect-phase toxic holds the client): keep it for
            // the dial, but only up to the write high-water mark; past that, stop reading like any backpressure.
            if (early == null) {
                early = new java.util.ArrayDeque<>(4);
            }
            early.add(data);
            earlyBytes += data.readableBytes();
            Channel from = connection.channel(sender);
            if (earlyBytes >= connection.earlyLimitBytes() && from != null && from.config().isAutoRead()) {
                from.config().setAutoRead(false);
            }
            return;
        }
        connection.countBytes(direction, data.readableBytes());
        if (!firstByteSeen) {
            firstByteSeen = true;
            connection.firstByte(sender);
        }
        if (tls != null) {
            if (!tls.bypass(direction)) {
                tls.onRead(direction, data);
                return;
            }
            tls = null; // handshake over (or not TLS) and nothing held: straight to the stages from now on
        }
        deliver(0, data);
    }

    /** Bytes the TLS reader (and its toxics) hand on: into this direction's stages. */
    void fromTls(ByteBuf data) {
        deliver(0, data);
    }

    /** The sender's FIN, handed on by the TLS reader. */
    void endFromTls() {
        deliverEnd(0);
    }

    /** Bytes TLS toxics hold (or let go of) in this direction count like any stage's, for backpressure. */
    void heldByTls(long deltaBytes) {
        heldBytes += deltaBytes;
        updateReadInterest();
    }

    /** The sender half-closed (we read EOF). */
    void onSenderEnd() {
        if (closed || senderEnded) {
            return;
        }
        if (!connection.established()) {
            earlyEnd = true;
            return;
        }
        senderEnded = true;
        updateReadInterest();
        if (tls != null && !tls.bypass(direction)) {
            tls.onEnd(direction);
            return;
        }
        deliverEnd(0);
    }

    boolean senderEnded() {
        return senderEnded;
    }

    /** The upstream is connected: forward what the sender sent before it was. */
    void begin() {
        tls = connection.tls();
        ByteBuf data;
        while (early != null && (data = early.poll()) != null) {
            onRead(data);
        }
        if (earlyEnd) {
            earlyEnd = false;
            onSenderEnd();
        }
    }

    void attach(Toxic toxic) {
        if (closed || indexOf(toxic.name()) >= 0 || toxic.stream() != direction) {
            return;
        }
        if (!(toxic.type() instanceof StreamToxicType type)) {
            return; // acts before the dial, or on segments: nothing to do on the stream
        }
        Random random = connection.randomFor(toxic, direction);
        if (!Applicability.draw(toxic, random)) {
            return;
        }
        ToxicStage stage = type.newStage(toxic.attributes());
        StageNode node = new StageNode(toxic.name(), stage, random);
        stages.add(node);
        stage.bind(node);
        connection.toxicApplied(toxic);
        stage.onAttach();
    }

    void detach(String toxicName) {
        int i = indexOf(toxicName);
        if (i < 0 || closed) {
            return;
        }
        StageNode node = stages.get(i);
        node.stage.onDetach();
        stages.remove(node);
        node.removed = true;
        heldBytes -= node.heldBytes;
        if (node.paused) {
            toxicPauses--;
        }
        updateReadInterest();
    }

    /** Replaces a toxic's stage after its settings changed; the old stage hands on what it held first. */
    void replace(Toxic toxic) {
        detach(toxic.name());
        attach(toxic);
    }

    /** The connection is over: stages let go of what they hold. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf data;
        while (early != null && (data = early.poll()) != null) {
            data.release();
        }
        TlsHandshake reader = connection.tls();
        if (reader != null) {
            reader.close(); // idempotent: whichever direction closes first
        }
        for (StageNode node : stages.isEmpty() ? List.<StageNode>of() : List.copyOf(stages)) {
            node.removed = true;
            node.stage.onClose();
        }
        stages.clear();
    }

    /** Re-evaluates whether the sender may be read: receiver writable, stages not holding too much, no stall. */
    void updateReadInterest() {
        Channel from = connection.channel(sender);
        Channel to = connection.channel(receiver);
        if (from == null || to == null || !connection.established() || senderEnded) {
            // After the sender's EOF there is nothing left to read: leave the channel's read interest alone, since
            // changing epoll interest on a half-closed socket can race with its teardown.
            return;
        }
        boolean read = !closed && to.isWritable() && toxicPauses == 0
                && heldBytes < connection.maxHeldBytes();
        if (from.config().isAutoRead() != read) {
            from.config().setAutoRead(read);
        }
    }

    private void deliver(int index, ByteBuf data) {
        if (index < stages.size()) {
            stages.get(index).stage.onData(data);
        } else {
            write(data);
        }
    }

    private void deliverEnd(int index) {
        if (index < stages.size()) {
            stages.get(index).stage.onEnd();
        } else {
            writeEnd();
        }
    }

    private void write(ByteBuf data) {
        Channel to = connection.channel(receiver);
        if (closed || to == null || !to.isActive()) {
            data.release();
            return;
        }
        // The void promise: no promise object per write; a failed write reaches LegHandler.exceptionCaught.
        to.writeAndFlush(data, to.voidPromise());
        if (connection.hasSentFin(receiver)) {
            connection.watchForResetAfterFin(receiver);
        }
    }

    private void writeEnd() {
        if (endDelivered || closed) {
            return;
        }
        endDelivered = true;
        Channel to = connection.channel(receiver);
        if (connection.otherDirectionEnded(this)) {
            // The last FIN of the connection: closing sends it (after queued bytes) and saves a shutdown call.
            connection.onEndDelivered(this);
            return;
        }
        if (to.isActive() && HalfClose.nothingQueued(to)) {
            HalfClose.shutdownOutput(to).addListener(done -> finSent());
            return;
        }
        // Shut the output only after every byte queued before it is on the wire: shutdownOutput fails queued writes.
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(future -> {
            if (future.isSuccess() && to.isActive()) {
                HalfClose.shutdownOutput(to).addListener(done -> finSent());
            } else if (!future.isSuccess()) {
                connection.onError(receiver, future.cause());
            }
        });
    }

    private void finSent() {
        connection.finSent(receiver);
        connection.onEndDelivered(this);
    }

    private int indexOf(String toxicName) {
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).toxicName.equals(toxicName)) {
                return i;
            }
        }
        return -1;
    }

    /** A stage's view of the flow: where its output goes and what it may do. */
    private final class StageNode extends RemovableStage implements StageContext {
        final String toxicName;
        final ToxicStage stage;
        final Random random;
        long heldBytes;
        boolean paused;

        StageNode(String toxicName, ToxicStage stage, Random random) {
            super(DirectionFlow.this.connection);
            this.toxicName = toxicName;
            this.stage = stage;
            this.random = random;
        }

        @Override
        public void forward(ByteBuf data) {
            if (removed) {
                data.release();
                return;
            }
            deliver(stages.indexOf(this) + 1, data);
        }

        @Override
        public void forwardEnd() {
            if (!removed) {
                deliverEnd(stages.indexOf(this) + 1);
            }
        }

        @Override
        public void held(long deltaBytes) {
            heldBytes += deltaBytes;
            if (!removed) {
                DirectionFlow.this.heldBytes += deltaBytes;
                updateReadInterest();
            }
        }

        @Override
        public void pauseReading(boolean pause) {
            if (removed || paused == pause) {
                return;
            }
            paused = pause;
            toxicPauses += pause ? 1 : -1;
            updateReadInterest();
        }

        @Override
        public Random random() {
            return random;
        }

        @Override
        public void record(ToxicAction action) {
            if (!removed) {
                connection.toxicAction(toxicName, action, receiver);
            }
        }

        @Override
        public ByteBufAllocator alloc() {
            return connection.alloc();
        }
    }
}
