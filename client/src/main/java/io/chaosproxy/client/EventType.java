package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What happened to a connection; the names of the timeline's {@code type} field. */
public enum EventType {
    ACCEPTED,
    DIAL_STARTED,
    UPSTREAM_CONNECTED,
    UPSTREAM_FAILED,
    FIRST_BYTE,
    FIN,
    RST,
    TOXIC_APPLIED,
    /** A toxic did something one side can feel: swallowed a FIN, sent an RST, ... */
    TOXIC_ACTION,
    /** The ClientHello as the proxy read it: {@code sni}, {@code versions}, {@code alpn}. */
    TLS_CLIENT_HELLO,
    /** The ServerHello: the {@code version} the server chose. */
    TLS_SERVER_HELLO,
    /** The TLS handshake is done as the proxy saw it ({@code durationUs} from the ClientHello). */
    TLS_HANDSHAKE_DONE,
    /** A plaintext (or recognisably encrypted) TLS alert: {@code alert} = level and description. */
    TLS_ALERT,
    /** The proxy's TLS reader found bytes that are not TLS and let them flow unread. */
    TLS_STEPPED_ASIDE,
    CLOSED,
    /** A type this client does not know yet (a newer server). */
    OTHER;

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static EventType of(String label) {
        for (EventType t : values()) {
            if (t.label().equals(label)) {
                return t;
            }
        }
        return OTHER;
    }
}
