package io.chaosproxy.toxic.examples;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.ConnectGate;
import io.chaosproxy.toxic.ConnectToxicType;

/** docs/ARCHITECTURE.md's worked example of a connect-phase toxic. */
public final class RefuseFirstToxic implements ConnectToxicType {
    public String name() { return "refuse_first"; }
    public AttributeSchema schema() { return AttributeSchema.of(); }
    public String description() { return "Resets the client instead of dialing."; }
    public ConnectGate newConnectGate(Attributes a) { return control -> control.resetClient(); }
}
