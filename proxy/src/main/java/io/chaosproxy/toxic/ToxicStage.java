package io.chaosproxy.toxic;

import io.netty.buffer.ByteBuf;

/**
 * The behaviour of one toxic on one connection in one direction: a link in that direction's chain. Bytes arrive in
 * {@link #onData}, which owns the buffer: it must forward it or release it. All methods run on the connection's
 * event loop.
 */
public abstract class ToxicStage {
    private StageContext context;

    /** Called by the engine once, before any other method. */
    public final void bind(StageContext context) {
        this.context = context;
    }

    protected final StageContext context() {
        return context;
    }

    /** The toxic now acts on this connection (at accept, or when added to an open connection). */
    public void onAttach() {
    }

    /** Bytes from the sender; this stage now owns {@code data}. */
    public void onData(ByteBuf data) {
        context.forward(data);
    }

    /** The sender half-closed its side (sent FIN). */
    public void onEnd() {
        context.forwardEnd();
    }

    /**
     * The toxic was removed while the connection stays open: cancel timers and hand on, in order, anything held, so
     * normal flow resumes with no byte lost.
     */
    public void onDetach() {
    }

    /** The connection is over: cancel timers and release anything held. */
    public void onClose() {
    }
}
