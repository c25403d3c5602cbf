package io.chaosproxy.assertj;

import io.chaosproxy.client.ConnectionInfo;

/** A kind of TCP segment, by its flags. */
public enum SegmentKind {
    SYN,
    SYN_ACK,
    FIN,
    RST;

    boolean matches(ConnectionInfo.Segment s) {
        return switch (this) {
            case SYN -> s.isSyn();
            case SYN_ACK -> s.isSynAck();
            case FIN -> s.isFin();
            case RST -> s.isRst();
        };
    }
}
