package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsToxicType;
import java.util.List;

/**
 * Closes both sides ({@code then}: fin or rst) as soon as the handshake is done, before any application data: the
 * handshake succeeds, the first read or write fails.
 */
public final class TlsCloseAfterHandshakeToxic implements TlsToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.choice("then", "fin", List.of("fin", "rst"), "how both sides are closed"));

    @Override
    public String name() {
        return "tls_close_after_handshake";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Closes both sides (fin or rst) right after the handshake, before any application data.";
    }

    @Override
    public TlsStage newStage(Attributes attributes) {
        boolean rst = attributes.getText("then").equals("rst");
        return new TlsStage() {
            @Override
            public void onHandshakeDone() {
                context().record(ToxicAction.of(ToxicAction.Kind.CLOSED_AFTER_HANDSHAKE), Leg.CLIENT);
                context().record(ToxicAction.of(rst ? ToxicAction.Kind.THEN_RST : ToxicAction.Kind.THEN_FIN),
                        Leg.CLIENT);
                if (rst) {
                    context().resetConnection();
                } else {
                    context().finToClientThenDrain();
                }
            }
        };
    }
}
