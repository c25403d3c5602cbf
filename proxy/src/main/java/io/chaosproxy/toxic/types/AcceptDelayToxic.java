package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.ConnectToxicType;
import java.util.concurrent.TimeUnit;

/**
 * Holds an accepted client, silent, for {@code delay} ms before dialing the upstream: a server slow to accept.
 * The client's connect has already succeeded (the kernel did the handshake); its first read simply waits.
 */
public final class AcceptDelayToxic implements ConnectToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("delay", "ms", 0, 0, 86_400_000, "how long the client is held before the dial"));

    @Override
    public String name() {
        return "accept_delay";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Holds the accepted client silent for delay ms before dialing the upstream.";
    }

    @Override
    public ConnectGate newConnectGate(Attributes attributes) {
        long delay = attributes.getLong("delay");
        return control -> control.schedule(control::proceed, delay, TimeUnit.MILLISECONDS);
    }
}
