package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;

/** Passes the sender's FIN on {@code delay} ms late; data sent before it still arrives first, at once. */
public final class FinDelayToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 0, 0, 86_400_000, "how late the FIN is passed on"));

    @Override
    public String name() {
        return "fin_delay";
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
        return "Passes the FIN on delay ms late; earlier data arrives first.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new DelayedFinStage(attributes.getLong("delay"));
    }
}
