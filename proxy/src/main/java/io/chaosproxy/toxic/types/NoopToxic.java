package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;

/** Does nothing: useful to check that a client can create toxics, and as the chain's neutral element. */
public final class NoopToxic implements StreamToxicType {
    @Override
    public String name() {
        return "noop";
    }

    @Override
    public Phase phase() {
        return Phase.ESTABLISHED;
    }

    @Override
    public AttributeSchema schema() {
        return AttributeSchema.of();
    }

    @Override
    public String description() {
        return "Passes everything through unchanged.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new ToxicStage() {
        };
    }
}
