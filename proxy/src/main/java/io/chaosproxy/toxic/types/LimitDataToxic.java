package io.chaosproxy.toxic.types;

import io.chaosproxy.toxic.AttributeSchema;
import io.chaosproxy.toxic.AttributeSpec;
import io.chaosproxy.toxic.Attributes;
import io.chaosproxy.model.Phase;
import io.chaosproxy.toxic.ToxicStage;
import io.chaosproxy.toxic.StreamToxicType;
import io.netty.buffer.ByteBuf;

/**
 * Lets exactly {@code bytes} bytes through in this direction, then closes the connection (FIN both ways) once they
 * are written. Counting starts when the toxic starts acting on the connection.
 */
public final class LimitDataToxic implements StreamToxicType {
    private static final AttributeSchema SCHEMA = AttributeSchema.of(
            AttributeSpec.integer("bytes", "bytes", 0, 0, Long.MAX_VALUE, "bytes let through before closing"));

    @Override
    public String name() {
        return "limit_data";
    }

    @Override
    public Phase phase() {
        return Phase.ESTABLISHED;
    }

    @Override
    public AttributeSchema schema() {
        return SCHEMA;
    }

    @Override
    public String description() {
        return "Closes the connection once bytes bytes have passed in this direction.";
    }

    @Override
    public ToxicStage newStage(Attributes attributes) {
        return new Stage(attributes.getLong("bytes"));
    }

    private static final class Stage extends ToxicStage {
        private final long limit;
        private long passed;
        private boolean closed;

        Stage(long limit) {
            this.limit = limit;
        }

        @Override
        public void onData(ByteBuf data) {
            if (closed) {
                data.release();
                return;
            }
            long room = limit - passed;
            if (data.readableBytes() < room) {
                passed += data.readableBytes();
                context().forward(data);
                return;
            }
            if (room > 0) {
                context().forward(data.readRetainedSlice((int) room));
                passed += room;
            }
            data.release();
            closed = true;
            context().closeConnection();
        }
    }
}
