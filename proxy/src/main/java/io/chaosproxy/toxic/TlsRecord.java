package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;

/**
 * One whole TLS record of the handshake as a {@link TlsStage} receives it: its plaintext header fields and its
 * place in the handshake.
 *
 * @param direction upstream (client to server) or downstream
 * @param contentType the record's content type: 20 ChangeCipherSpec, 21 alert, 22 handshake, 23 application data
 * @param length the record's payload length (the whole record is 5 bytes more)
 * @param step where in the handshake it belongs
 * @param flightOffset bytes of this side's flight (from its hello record on) before this record
 */
public record TlsRecord(Direction direction, int contentType, int length, TlsStep step, long flightOffset) {
    public static final int CHANGE_CIPHER_SPEC = 20;
    public static final int ALERT = 21;
    public static final int HANDSHAKE = 22;
    public static final int APPLICATION_DATA = 23;
    public static final int HEADER_BYTES = 5;

    /** The record's size on the wire, header included. */
    public int wireBytes() {
        return HEADER_BYTES + length;
    }
}
