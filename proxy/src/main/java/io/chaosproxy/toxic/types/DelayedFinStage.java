package io.chaosproxy.toxic.types;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.HoldingStage;
import java.util.concurrent.TimeUnit;

/** Passes the FIN on late, behind any data sent before it: the stage of both fin_delay and slow_close. */
final class DelayedFinStage extends HoldingStage {
    private final long delayNanos;

    DelayedFinStage(long delayMs) {
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMs);
    }

    @Override
    public void onEnd() {
        context().record(ToxicAction.of(ToxicAction.Kind.HOLDING_FIN));
        held().addEnd(context().nanoTime() + delayNanos);
    }
}
