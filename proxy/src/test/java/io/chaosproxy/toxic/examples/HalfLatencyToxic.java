package io.chaosproxy.toxic.examples;

import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.HoldingStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.TimeUnit;

/** docs/ARCHITECTURE.md's worked example of a stream toxic: one file, nothing else of the engine touched. */
public final class HalfLatencyToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("latency", "ms", 0, 0, 3_600_000, "added delay"));
    public String name() { return "half_latency"; }
    public Phase phase() { return Phase.ESTABLISHED; }
    public AttributeSchema schema() { return SCHEMA; }
    public String description() { return "Delays every other chunk by latency ms."; }
    public ToxicStage newStage(Attributes a) {
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(a.getLong("latency"));
        return new HoldingStage() {           // holds bytes in a TimedRelease; detach flushes, close discards
            private boolean odd;
            @Override public void onData(ByteBuf data) {
                odd = !odd;
                held().add(data, context().nanoTime() + (odd ? delayNanos : 0));
            }
        };
    }
}
