package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.TlsRecord;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsStep;
import io.chaosproxy.toxic.TlsToxicType;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Resets both sides (RST) at one step of the handshake, the way a middlebox that dislikes what it sees does:
 * {@code client_hello} when the ClientHello arrives (the server never gets it), {@code server_hello} when the
 * ServerHello arrives (the client never gets it), {@code server_flight} when the client answers the server's whole
 * flight (its key exchange or Finished is dropped: TLS 1.2 clients fail in the handshake, TLS 1.3 clients, done by
 * then, at their first read or write).
 */
public final class TlsResetAfterToxic implements TlsToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(AttributeSpec.choice("step", "client_hello",
            List.of("client_hello", "server_hello", "server_flight"), "the handshake step at which both sides get an RST"));

    @Override
    public String name() {
        return "tls_reset_after";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Resets both sides at a handshake step: client_hello, server_hello or server_flight.";
    }

    @Override
    public TlsStage newStage(Attributes attributes) {
        return switch (attributes.getText("step")) {
            case "server_hello" -> new Stage(TlsStep.SERVER_HELLO, ToxicAction.Kind.RST_AT_SERVER_HELLO, Leg.CLIENT);
            case "server_flight" -> new Stage(TlsStep.CLIENT_FLIGHT, ToxicAction.Kind.RST_AFTER_SERVER_FLIGHT,
                    Leg.CLIENT);
            default -> new Stage(TlsStep.CLIENT_HELLO, ToxicAction.Kind.RST_AT_CLIENT_HELLO, Leg.SERVER);
        };
    }

    private static final class Stage extends TlsStage {
        private final TlsStep at;
        private final ToxicAction.Kind action;
        private final Leg affected;
        private boolean reset;

        Stage(TlsStep at, ToxicAction.Kind action, Leg affected) {
            this.at = at;
            this.action = action;
            this.affected = affected;
        }

        @Override
        public void onRecord(TlsRecord record, ByteBuf data) {
            if (reset || record.step() == at) {
                data.release(); // the record that triggers it never reaches the other side
                if (!reset) {
                    reset = true;
                    context().record(ToxicAction.of(action), affected);
                    context().resetConnection();
                }
                return;
            }
            context().forwardRecord(record, data);
        }
    }
}
