package io.chaosproxy.toxic.types;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;

/** When the sender closes (FIN), the receiver gets an RST instead, and so does the sender's leg. */
public final class RstOnCloseToxic implements StreamToxicType {
    @Override
    public String name() {
        return "rst_on_close";
    }

    @Override
    public Phase phase() {
        return Phase.TEARDOWN;
    }

    @Override
    public AttributeSchema schema() {
        return AttributeSchema.of();
    }

    @Override
    public String description() {
        return "Turns the sender's FIN into an RST to the receiver.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new ToxicStage() {
            @Override
            public void onEnd() {
                context().record(ToxicAction.of(ToxicAction.Kind.FIN_REPLACED_BY_RST));
                context().resetConnection();
            }
        };
    }
}
