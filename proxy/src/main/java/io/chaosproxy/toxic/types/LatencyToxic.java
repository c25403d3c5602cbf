package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.TimedRelease;
import io.chaosproxy.toxic.HoldingStage;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/**
 * Delays every chunk by {@code latency} ± {@code jitter} ms, measured from its arrival, so throughput is not cut
 * (unlike sleeping per chunk) and bytes stay in order. The FIN is delayed the same way, behind the data.
 */
public final class LatencyToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("latency", "ms", 0, 0, 3_600_000, "added delay"),
            AttributeSpec.integer("jitter", "ms", 0, 0, 3_600_000, "random variation, plus or minus"));

    @Override
    public String name() {
        return "latency";
    }

    @Override
    public Phase phase() {
        return Phase.ESTABLISHED;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Delays data by latency ± jitter ms, from its arrival; order and throughput kept.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("latency"), attributes.getLong("jitter"));
    }

    private static final class Stage extends HoldingStage {
        private final long latencyNanos;
        private final long jitterNanos;

        Stage(long latencyMs, long jitterMs) {
            this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMs);
            this.jitterNanos = TimeUnit.MILLISECONDS.toNanos(jitterMs);
        }


        @Override
        public void onData(ByteBuf data) {
            held().add(data, context().nanoTime() + delay());
        }

        @Override
        public void onEnd() {
            held().addEnd(context().nanoTime() + delay());
        }

        private long delay() {
            if (jitterNanos == 0) {
                return latencyNanos;
            }
            long offset = (long) ((context().random().nextDouble() * 2 - 1) * jitterNanos);
            return Math.max(0, latencyNanos + offset);
        }


    }
}
