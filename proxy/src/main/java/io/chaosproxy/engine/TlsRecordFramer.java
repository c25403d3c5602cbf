package io.chaosproxy.engine;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Cuts one direction's bytes into whole TLS records, however the reads split them: several records in one read
 * come out as slices of it (no copy), a record split across reads is gathered in a buffer of its own size (at most
 * one record, 5 + 18,432 bytes: bounded memory). Bytes whose header is not a TLS record header are reported and, like
 * everything after {@link #stop}, handed on raw.
 */
final class TlsRecordFramer {
    /** The largest record payload TLS allows (2^14 plus the ciphertext expansion of TLS 1.2). */
    static final int MAX_PAYLOAD = (1 << 14) + 2048;
    static final int HEADER = 5;

    /** Where whole records, raw bytes and the verdict "not TLS" go. */
    interface Sink {
        /**
         * At a record boundary, before framing: how many of the readable bytes at {@code data}'s reader index are a
         * protocol's plaintext prelude to pass on raw (PostgreSQL's SSLRequest and its answer), usually 0.
         */
        int prelude(ByteBuf data);

        /** One whole record (header included); the sink owns it. */
        void record(ByteBuf record);

        /** Bytes passed on unframed; the sink owns them. */
        void raw(ByteBuf data);

        /** The bytes at the framer's position are not a TLS record: framing stops, they follow raw. */
        void notTls(String why);
    }

    private final ByteBufAllocator alloc;
    private final Sink sink;
    private ByteBuf partial;
    private boolean framing = true;

    TlsRecordFramer(ByteBufAllocator alloc, Sink sink) {
        this.alloc = alloc;
        this.sink = sink;
    }

    boolean framing() {
        return framing;
    }

    /** Frames {@code data} (owned by this call). The sink may call {@link #stop} at any point; the rest goes raw. */
    void feed(ByteBuf data) {
        try {
            while (data.isReadable()) {
                if (!framing) {
                    sink.raw(data.retain());
                    return;
                }
                if (partial == null) {
                    frameFresh(data);
                } else {
                    continuePartial(data);
                }
            }
        } finally {
            data.release();
        }
    }

    private void frameFresh(ByteBuf data) {
        int prelude = sink.prelude(data);
        if (prelude > 0) {
            sink.raw(data.readRetainedSlice(Math.min(prelude, data.readableBytes())));
            return;
        }
        if (data.readableBytes() < HEADER) {
            partial = alloc.buffer(HEADER + 256);
            partial.writeBytes(data);
            return;
        }
        int length = payloadLength(data, data.readerIndex());
        if (length < 0) {
            stopNotTls(data, data.readerIndex());
            return;
        }
        if (data.readableBytes() >= HEADER + length) {
            sink.record(data.readRetainedSlice(HEADER + length));
            return;
        }
        partial = alloc.buffer(HEADER + length);
        partial.writeBytes(data);
    }

    private void continuePartial(ByteBuf data) {
        if (partial.readableBytes() < HEADER) {
            partial.writeBytes(data, Math.min(HEADER - partial.readableBytes(), data.readableBytes()));
            if (partial.readableBytes() < HEADER) {
                return;
            }
            int length = payloadLength(partial, partial.readerIndex());
            if (length < 0) {
                stopNotTls(partial, partial.readerIndex());
                return;
            }
            partial.ensureWritable(length);
        }
        int total = HEADER + payloadLength(partial, partial.readerIndex());
        partial.writeBytes(data, Math.min(total - partial.readableBytes(), data.readableBytes()));
        if (partial.readableBytes() == total) {
            ByteBuf record = partial;
            partial = null;
            sink.record(record);
        }
    }

    private void stopNotTls(ByteBuf at, int index) {
        int b = at.getUnsignedByte(index);
        String shown = b >= 0x20 && b < 0x7f ? " '" + (char) b + "'" : "";
        sink.notTls(String.format("first bytes are not a TLS record (0x%02x%s)", b, shown));
        stop();
    }

    /**
     * Stops framing: what was gathered of an unfinished record goes on raw, and so does everything fed later.
     * Called when the handshake is done (the rest is encrypted and needs no reading) or the bytes are not TLS.
     */
    void stop() {
        if (!framing) {
            return;
        }
        framing = false;
        ByteBuf rest = partial;
        partial = null;
        if (rest != null) {
            sink.raw(rest);
        }
    }

    /** The connection is over: drop what was gathered. */
    void release() {
        framing = false;
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** The payload length of a valid TLS record header at {@code index}, or -1 if these bytes are not one. */
    static int payloadLength(ByteBuf buf, int index) {
        int type = buf.getUnsignedByte(index);
        int major = buf.getUnsignedByte(index + 1);
        int minor = buf.getUnsignedByte(index + 2);
        int length = buf.getUnsignedShort(index + 3);
        if (type < 20 || type > 24 || major != 3 || minor > 4 || length > MAX_PAYLOAD) {
            return -1;
        }
        return length;
    }
}
