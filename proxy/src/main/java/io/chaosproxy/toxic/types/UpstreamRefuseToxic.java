package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.ToxicType;

/** Never dials: resets the client right after accept, which is what a refused upstream looks like through a proxy. */
public final class UpstreamRefuseToxic implements ToxicType {
    @Override
    public String name() {
        return "upstream_refuse";
    }

    @Override
    public Phase phase() {
        return Phase.CONNECT;
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
    public ToxicStage newStage(Attributes attributes) {
        return null;
    }

    @Override
    public ConnectGate newConnectGate(Attributes attributes) {
        return control -> control.resetClient();
    }
}
