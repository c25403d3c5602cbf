package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.ConnectToxicType;

/** Never dials: resets the client right after accept, which is what a refused upstream looks like through a proxy. */
public final class UpstreamRefuseToxic implements ConnectToxicType {
    @Override
    public String name() {
        return "upstream_refuse";
    }

    @Override
    public AttributeSchema schema() {
        return AttributeSchema.of();
    }

    @Override
    public String description() {
        return "Resets the client right after accept without dialing (a refused upstream).";
    }

    @Override
    public ConnectGate newConnectGate(Attributes attributes) {
        return control -> control.resetClient();
    }
}
