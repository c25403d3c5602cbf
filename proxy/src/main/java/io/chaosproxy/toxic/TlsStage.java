package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;
import io.netty.buffer.ByteBuf;

/**
 * The behaviour of one TLS toxic on one connection, both directions: the engine's TLS reader hands it every
 * handshake record whole, with its {@link TlsRecord} header and step. {@link #onRecord} owns the buffer: it must
 * forward it or release it. All methods run on the connection's event loop.
 */
public abstract class TlsStage {
    private TlsStageContext context;

    /** Called by the engine once, before any other method. */
    public final void bind(TlsStageContext context) {
        this.context = context;
    }

    protected final TlsStageContext context() {
        return context;
    }

    /** The toxic now acts on this connection. */
    public void onAttach() {
    }

    /** One whole handshake record; this stage now owns {@code data}. */
    public void onRecord(TlsRecord record, ByteBuf data) {
        context.forwardRecord(record, data);
    }

    /**
     * Bytes after the handshake in {@code direction} (or bytes the reader could not frame): the reader has stepped
     * aside, so they come in any chunking. This stage owns {@code data}.
     */
    public void onPassThrough(Direction direction, ByteBuf data) {
        context.forward(direction, data);
    }

    /** The sender in {@code direction} half-closed (FIN). */
    public void onEnd(Direction direction) {
        context.forwardEnd(direction);
    }

    /**
     * The handshake is done as the proxy sees it (TLS 1.3: the client's Finished has passed; TLS 1.2: both
     * ChangeCipherSpec and Finished have passed). Runs after the record that completed it was handed on.
     */
    public void onHandshakeDone() {
    }

    /** The toxic was removed while the connection stays open: cancel timers and hand on, in order, what is held. */
    public void onDetach() {
    }

    /** The connection is over: cancel timers and release anything held. */
    public void onClose() {
    }
}
