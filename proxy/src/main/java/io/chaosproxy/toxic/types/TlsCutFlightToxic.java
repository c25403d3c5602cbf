package io.chaosproxy.toxic.types;

import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.toxic.TlsRecord;
import io.chaosproxy.toxic.TlsStage;
import io.chaosproxy.toxic.TlsToxicType;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * Passes only the first {@code bytes} bytes of the server's handshake flight (from its ServerHello record on), then
 * closes both sides ({@code then}: fin or rst): a certificate chain cut in the middle. A flight shorter than
 * {@code bytes} passes whole.
 */
public final class TlsCutFlightToxic implements TlsToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("bytes", "bytes", 1024, 0, 1_048_576,
                    "bytes of the server's flight that pass before the cut"),
            AttributeSpec.choice("then", "fin", List.of("fin", "rst"), "how both sides are closed at the cut"));

    @Override
    public String name() {
        return "tls_cut_flight";
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Passes only the first bytes of the server's handshake flight, then closes (fin or rst).";
    }

    @Override
    public TlsStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("bytes"), attributes.getText("then").equals("rst"));
    }

    private static final class Stage extends TlsStage {
        private final long bytes;
        private final boolean rst;
        private boolean cut;

        Stage(long bytes, boolean rst) {
            this.bytes = bytes;
            this.rst = rst;
        }

        @Override
        public void onRecord(TlsRecord record, ByteBuf data) {
            if (cut) {
                data.release();
                return;
            }
            if (record.direction() != Direction.DOWNSTREAM || record.flightOffset() + record.wireBytes() <= bytes) {
                context().forwardRecord(record, data);
                return;
            }
            cut = true;
            int passing = (int) Math.max(0, bytes - record.flightOffset());
            if (passing > 0) {
                context().forward(Direction.DOWNSTREAM, data.readRetainedSlice(passing));
            }
            data.release();
            context().record(ToxicAction.of(ToxicAction.Kind.CUT_FLIGHT_AFTER_BYTES, bytes), Leg.CLIENT);
            context().record(ToxicAction.of(rst ? ToxicAction.Kind.THEN_RST : ToxicAction.Kind.THEN_FIN), Leg.CLIENT);
            if (rst) {
                context().resetConnection();
            } else {
                context().finToClientThenDrain();
            }
        }

        @Override
        public void onPassThrough(Direction direction, ByteBuf data) {
            if (cut) {
                data.release();
                return;
            }
            context().forward(direction, data);
        }
    }
}
