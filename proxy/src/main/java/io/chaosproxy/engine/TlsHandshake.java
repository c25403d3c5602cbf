package io.chaosproxy.engine;

import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.model.Direction;
import io.chaosproxy.model.EventType;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.TlsDetails;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.Selector;
import io.chaosproxy.toxic.TlsRecord;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsStageContext;
import io.chaosproxy.toxic.TlsStep;
import io.chaosproxy.toxic.TlsToxicType;
import io.chaosproxy.toxic.Toxic;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS reader of one connection: frames both directions into records ({@link TlsRecordFramer}), recognises the
 * handshake's steps from plaintext (ClientHello, ServerHello, ChangeCipherSpec, the first encrypted record, alerts),
 * tells the timeline, and passes every handshake record through the TLS toxics' stages before the stream's own
 * stages. Once the handshake is done, or the bytes turn out not to be TLS, it stops framing and each direction's
 * {@link DirectionFlow} goes back to handing bytes straight to its stages. Exists only on connections of proxies
 * with a TLS toxic or marked tls_aware. Runs on the connection's event loop only.
 */
final class TlsHandshake {
    /** PostgreSQL's SSLRequest and GSSENCRequest codes: an 8-byte plaintext request before its TLS handshake. */
    private static final int PG_SSL_REQUEST = 80877103;
    private static final int PG_GSSENC_REQUEST = 80877104;

    /**
     * A TLS 1.3 alert sent during the handshake is encrypted: 2 bytes, the inner content type, optional padding and
     * a 16-byte tag (19 bytes from OpenSSL, 35 from the JDK, which pads). A Finished is at least 53 bytes (a 32-byte
     * verify_data, its 4-byte header, the content type, the tag), so a shorter encrypted record from a side that
     * has not finished is an alert, not the end of the handshake.
     */
    private static final int SHORTEST_FINISHED = 32 + 4 + 1 + 16;

    private final Connection connection;
    private final ConnectionLog log;
    private final DirectionFlow upstreamFlow;
    private final DirectionFlow downstreamFlow;
    private final TlsRecordFramer upstream;
    private final TlsRecordFramer downstream;
    private final List<Node> stages = new ArrayList<>(2);
    private final long[] heldBytes = new long[2];
    private final long[] flightBytes = new long[2];
    private final boolean[] changeCipherSpec = new boolean[2];
    private final boolean[] finished = new boolean[2];
    private boolean clientHelloSeen;
    private boolean serverHelloSeen;
    private boolean tls13;
    private String version;
    private long clientHelloNanos;
    private boolean done;
    private boolean steppedAside;
    private boolean closed;
    /** A toxic sent the client a FIN: everything read is dropped; the client's FIN goes on to the server. */
    private boolean draining;
    private boolean serverFinSent;
    /** A PostgreSQL request was passed on; the server's one-byte answer comes next downstream. */
    private int pgRequestAwaitingAnswer;

    TlsHandshake(Connection connection, ConnectionLog log, DirectionFlow upstreamFlow, DirectionFlow downstreamFlow) {
        this.connection = connection;
        this.log = log;
        this.upstreamFlow = upstreamFlow;
        this.downstreamFlow = downstreamFlow;
        this.upstream = new TlsRecordFramer(connection.alloc(), new Side(Direction.UPSTREAM));
        this.downstream = new TlsRecordFramer(connection.alloc(), new Side(Direction.DOWNSTREAM));
    }

    private DirectionFlow flow(Direction d) {
        return d == Direction.UPSTREAM ? upstreamFlow : downstreamFlow;
    }

    private TlsRecordFramer framer(Direction d) {
        return d == Direction.UPSTREAM ? upstream : downstream;
    }

    /**
     * Whether {@code direction}'s bytes may skip the reader from now on: the reader stopped (handshake done or not
     * TLS) and no TLS stage holds bytes of that direction (which later bytes must not overtake).
     */
    boolean bypass(Direction direction) {
        return (closed || !framer(direction).framing()) && heldBytes[direction.ordinal()] == 0 && !draining;
    }

    void onRead(Direction direction, ByteBuf data) {
        if (closed || draining) {
            data.release();
            return;
        }
        framer(direction).feed(data);
    }

    void onEnd(Direction direction) {
        if (closed) {
            return;
        }
        if (draining) {
            if (direction == Direction.UPSTREAM) {
                finToServer();
            }
            return;
        }
        framer(direction).stop(); // an unfinished record goes on as it is
        deliverEnd(0, direction);
    }

    // ---- TLS toxics on this connection ----

    void attach(Toxic toxic, java.util.Random random) {
        if (closed || done || steppedAside || indexOf(toxic.name()) >= 0
                || !(toxic.type() instanceof TlsToxicType type)) {
            return;
        }
        if (!io.chaosproxy.toxic.Applicability.draw(toxic, random)) {
            return;
        }
        TlsStage stage = type.newStage(toxic.attributes());
        Node node = new Node(toxic, stage);
        stages.add(node);
        stage.bind(node);
        if (!node.waitsForSni()) {
            connection.toxicApplied(toxic);
        }
        stage.onAttach();
    }

    void detach(String toxicName) {
        int i = indexOf(toxicName);
        if (i >= 0 && !closed) {
            remove(stages.get(i), true);
        }
    }

    private void remove(Node node, boolean handOn) {
        if (handOn) {
            node.stage.onDetach();
        }
        stages.remove(node);
        node.removed = true;
        for (Direction d : Direction.values()) {
            long held = node.held[d.ordinal()];
            if (held != 0) {
                addHeld(d, -held);
            }
        }
    }

    /** The connection is over: stages drop what they hold, the framers what they gathered. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        upstream.release();
        downstream.release();
        for (Node node : List.copyOf(stages)) {
            node.removed = true;
            node.stage.onClose();
        }
        stages.clear();
    }

    private int indexOf(String toxicName) {
        for (int i = 0; i < stages.size(); i++) {
            if (stages.get(i).toxic.name().equals(toxicName)) {
                return i;
            }
        }
        return -1;
    }

    private void addHeld(Direction d, long delta) {
        heldBytes[d.ordinal()] += delta;
        flow(d).heldByTls(delta);
    }

    // ---- what each direction's framer finds ----

    private final class Side implements TlsRecordFramer.Sink {
        private final Direction direction;

        Side(Direction direction) {
            this.direction = direction;
        }

        @Override
        public int prelude(ByteBuf data) {
            int at = data.readerIndex();
            if (direction == Direction.UPSTREAM && !clientHelloSeen && data.readableBytes() >= 8
                    && data.getInt(at) == 8) {
                int code = data.getInt(at + 4);
                if (code == PG_SSL_REQUEST || code == PG_GSSENC_REQUEST) {
                    pgRequestAwaitingAnswer = code;
                    return 8;
                }
            }
            if (direction == Direction.DOWNSTREAM && pgRequestAwaitingAnswer != 0) {
                int request = pgRequestAwaitingAnswer;
                pgRequestAwaitingAnswer = 0;
                int answer = data.getUnsignedByte(at);
                if (answer != 'S' && request == PG_SSL_REQUEST) {
                    stepAside(direction, "the server declined TLS (PostgreSQL answered '" + (char) answer + "')");
                }
                return 1; // 'S': the TLS handshake follows; 'N' to GSSENCRequest: an SSLRequest may follow
            }
            return 0;
        }

        @Override
        public void record(ByteBuf record) {
            if (draining) {
                record.release(); // a record read together with the one that started the drain
                return;
            }
            onRecord(direction, record);
        }

        @Override
        public void raw(ByteBuf data) {
            if (draining) {
                data.release();
                return;
            }
            deliverRaw(0, direction, data);
        }

        @Override
        public void notTls(String why) {
            stepAside(direction, why);
        }
    }

    private void stepAside(Direction direction, String why) {
        if (steppedAside || done) {
            return;
        }
        steppedAside = true;
        log.publishWith((proxy, id, since) -> ConnectionEvent.tls(proxy, id, since, EventType.TLS_STEPPED_ASIDE,
                direction == Direction.UPSTREAM ? Leg.CLIENT : Leg.SERVER, null, why, 0));
        upstream.stop();
        downstream.stop();
    }

    private void onRecord(Direction d, ByteBuf record) {
        int at = record.readerIndex();
        int type = record.getUnsignedByte(at);
        int length = record.getUnsignedShort(at + 3);
        boolean fromClient = d == Direction.UPSTREAM;
        TlsStep step;
        if (fromClient) {
            if (!clientHelloSeen) {
                if (type != TlsRecord.HANDSHAKE
                        || TlsHelloParser.handshakeType(record) != TlsHelloParser.CLIENT_HELLO) {
                    stepAside(d, "the client's first record is not a ClientHello (content type " + type + ")");
                    deliverRaw(0, d, record);
                    return;
                }
                clientHelloSeen = true;
                clientHelloNanos = System.nanoTime();
                TlsDetails hello = TlsHelloParser.clientHello(record);
                log.publishWith((proxy, id, since) -> ConnectionEvent.tls(proxy, id, since,
                        EventType.TLS_CLIENT_HELLO, Leg.CLIENT, hello, null, 0));
                selectBySni(hello.sni());
                step = TlsStep.CLIENT_HELLO;
            } else {
                step = TlsStep.CLIENT_FLIGHT;
            }
        } else {
            if (!serverHelloSeen) {
                boolean hello = type == TlsRecord.HANDSHAKE
                        && TlsHelloParser.handshakeType(record) == TlsHelloParser.SERVER_HELLO;
                if (!clientHelloSeen || (!hello && type != TlsRecord.ALERT)) {
                    stepAside(d, clientHelloSeen ? "the server's first record is not a ServerHello (content type "
                            + type + ")" : "the server spoke first");
                    deliverRaw(0, d, record);
                    return;
                }
                if (hello) {
                    serverHelloSeen = true;
                    version = TlsHelloParser.serverHelloVersion(record);
                    tls13 = "TLSv1.3".equals(version);
                    String chosen = version;
                    log.publishWith((proxy, id, since) -> ConnectionEvent.tls(proxy, id, since,
                            EventType.TLS_SERVER_HELLO, Leg.SERVER, TlsDetails.version(chosen), null, 0));
                }
                step = TlsStep.SERVER_HELLO;
            } else {
                step = TlsStep.SERVER_FLIGHT;
            }
        }
        boolean encryptedAlert = tls13 && type == TlsRecord.APPLICATION_DATA && length < SHORTEST_FINISHED;
        if (type == TlsRecord.ALERT || encryptedAlert) {
            alert(d, record, encryptedAlert ? -1 : length);
        }
        boolean completes = !encryptedAlert && tracksCompletion(d, type);
        int side = d.ordinal();
        TlsRecord header = new TlsRecord(d, type, length, step, flightBytes[side]);
        flightBytes[side] += header.wireBytes();
        deliverRecord(0, header, record);
        if (completes && !closed) {
            handshakeDone();
        }
    }

    /**
     * Whether this record completes the handshake as far as the proxy can see: TLS 1.3, the client's first
     * encrypted record (its Finished, after the server's whole flight); TLS 1.2, ChangeCipherSpec then Finished
     * from both sides.
     */
    private boolean tracksCompletion(Direction d, int type) {
        if (!serverHelloSeen) {
            return false;
        }
        if (tls13) {
            return d == Direction.UPSTREAM && type == TlsRecord.APPLICATION_DATA;
        }
        int side = d.ordinal();
        if (type == TlsRecord.CHANGE_CIPHER_SPEC) {
            changeCipherSpec[side] = true;
        } else if (changeCipherSpec[side] && type == TlsRecord.HANDSHAKE) {
            finished[side] = true;
        }
        return finished[0] && finished[1];
    }

    private void alert(Direction d, ByteBuf record, int length) {
        int at = record.readerIndex() + TlsRecordFramer.HEADER;
        String text = length == 2 ? TlsAlerts.text(record.getUnsignedByte(at), record.getUnsignedByte(at + 1))
                : "encrypted alert";
        Leg sender = d == Direction.UPSTREAM ? Leg.CLIENT : Leg.SERVER;
        log.publishWith((proxy, id, since) -> ConnectionEvent.tls(proxy, id, since, EventType.TLS_ALERT, sender,
                TlsDetails.alert(text), null, 0));
    }

    private void handshakeDone() {
        done = true;
        long took = System.nanoTime() - clientHelloNanos;
        String v = version;
        log.publishWith((proxy, id, since) -> ConnectionEvent.tls(proxy, id, since, EventType.TLS_HANDSHAKE_DONE,
                null, TlsDetails.version(v), null, took));
        for (Node node : List.copyOf(stages)) {
            if (!node.removed && !closed) {
                node.stage.onHandshakeDone();
            }
        }
        // The rest is encrypted: stop framing (an unfinished record in either direction follows raw).
        upstream.stop();
        downstream.stop();
    }

    private void finToClientThenDrain() {
        if (draining || closed) {
            return;
        }
        draining = true;
        upstream.stop();
        downstream.stop();
        downstreamFlow.endFromTls();
        if (upstreamFlow.senderEnded()) {
            finToServer(); // the client had closed already
        }
    }

    private void finToServer() {
        if (!serverFinSent && !closed) {
            serverFinSent = true;
            upstreamFlow.endFromTls();
        }
    }

    /** TLS toxics whose selector names server names apply only when the ClientHello's SNI matches one. */
    private void selectBySni(String sni) {
        for (Node node : List.copyOf(stages)) {
            if (node.waitsForSni()) {
                node.sniJudged = true;
                if (node.toxic.selector().matchesSni(sni)) {
                    connection.toxicApplied(node.toxic);
                } else {
                    remove(node, true);
                }
            }
        }
    }

    // ---- the chain of TLS stages, then the direction's flow ----

    private void deliverRecord(int index, TlsRecord header, ByteBuf record) {
        if (index < stages.size()) {
            stages.get(index).stage.onRecord(header, record);
        } else {
            flow(header.direction()).fromTls(record);
        }
    }

    private void deliverRaw(int index, Direction d, ByteBuf data) {
        if (index < stages.size()) {
            stages.get(index).stage.onPassThrough(d, data);
        } else {
            flow(d).fromTls(data);
        }
    }

    private void deliverEnd(int index, Direction d) {
        if (index < stages.size()) {
            stages.get(index).stage.onEnd(d);
        } else {
            flow(d).endFromTls();
        }
    }

    /** A stage's view of the reader: where its output goes and what it may do. */
    private final class Node extends RemovableStage implements TlsStageContext {
        final Toxic toxic;
        final TlsStage stage;
        final long[] held = new long[2];
        boolean sniJudged;

        Node(Toxic toxic, TlsStage stage) {
            super(TlsHandshake.this.connection);
            this.toxic = toxic;
            this.stage = stage;
        }

        /** Its selector names server names and no ClientHello has been judged yet. */
        boolean waitsForSni() {
            Selector s = toxic.selector();
            return s != null && s.sni() != null && !sniJudged;
        }

        @Override
        public void forwardRecord(TlsRecord record, ByteBuf data) {
            if (removed) {
                data.release();
                return;
            }
            deliverRecord(stages.indexOf(this) + 1, record, data);
        }

        @Override
        public void forward(Direction direction, ByteBuf data) {
            if (removed) {
                data.release();
                return;
            }
            deliverRaw(stages.indexOf(this) + 1, direction, data);
        }

        @Override
        public void forwardEnd(Direction direction) {
            if (!removed) {
                deliverEnd(stages.indexOf(this) + 1, direction);
            }
        }

        @Override
        public void held(Direction direction, long deltaBytes) {
            held[direction.ordinal()] += deltaBytes;
            if (!removed) {
                addHeld(direction, deltaBytes);
            }
        }

        @Override
        public void finToClientThenDrain() {
            if (!removed) {
                TlsHandshake.this.finToClientThenDrain();
            }
        }

        @Override
        public void record(ToxicAction action, Leg affected) {
            if (!removed) {
                connection.toxicAction(toxic.name(), action, affected);
            }
        }

        @Override
        public Direction stream() {
            return toxic.stream();
        }
    }
}
