package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;

/** Toxiproxy's slow_close: delays the sender's FIN by {@code delay} ms; data flows normally (same as fin_delay). */
public final class SlowCloseToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 0, 0, 3_600_000, "how long the FIN is held"));

    @Override
    public String name() {
        return "slow_close";
    }

    @Override
    public Phase phase() {
        return Phase.TEARDOWN;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Delays the close (FIN) by delay ms.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new DelayedFinStage(attributes.getLong("delay"));
    }
}
