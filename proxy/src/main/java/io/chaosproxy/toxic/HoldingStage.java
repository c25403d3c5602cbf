package io.chaosproxy.toxic;

/**
 * A stage that holds bytes (and the FIN) in a {@link TimedRelease} until they are due: removing the toxic hands
 * everything on at once and in order, closing the connection drops it.
 */
public abstract class HoldingStage extends ToxicStage {
    private TimedRelease held;

    protected final TimedRelease held() {
        return held;
    }

    @Override
    public void onAttach() {
        held = new TimedRelease(context());
    }

    @Override
    public void onDetach() {
        held.flushAll();
    }

    @Override
    public void onClose() {
        held.discardAll();
    }
}
