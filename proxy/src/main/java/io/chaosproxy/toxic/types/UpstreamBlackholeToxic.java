package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.ConnectToxicType;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Never dials: keeps the client silent for {@code timeout} ms, then resets it ({@code rst}), closes it
 * ({@code fin}) or keeps holding it ({@code hold}): an upstream whose SYNs vanish, as the client sees it.
 */
public final class UpstreamBlackholeToxic implements ConnectToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("timeout", "ms", 0, 0, 86_400_000, "how long the client is held silent"),
            AttributeSpec.choice("then", "rst", List.of("rst", "fin", "hold"), "what the client gets afterwards"));

    @Override
    public String name() {
        return "upstream_blackhole";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Never dials; holds the client silent for timeout ms, then rst, fin or hold.";
    }

    @Override
    public ConnectGate newConnectGate(Attributes attributes) {
        long timeout = attributes.getLong("timeout");
        String then = attributes.getText("then");
        return control -> {
            if (then.equals("hold")) {
                return;
            }
            control.schedule(then.equals("rst") ? control::resetClient : control::closeClient, timeout,
                    TimeUnit.MILLISECONDS);
        };
    }
}
