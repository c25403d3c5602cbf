package io.chaosproxy.model;

import java.util.Locale;

/** Everything that can happen to a connection. Metrics, timelines and live feeds are all fed from these. */
public enum EventType {
    ACCEPTED,
    DIAL_STARTED,
    UPSTREAM_CONNECTED,
    UPSTREAM_FAILED,
    FIRST_BYTE,
    FIN,
    RST,
    TOXIC_APPLIED,
    /** A toxic did something visible to one side: swallowed a FIN, sent an RST, closed the connection. */
    TOXIC_ACTION,
    /** The client's ClientHello: SNI, offered versions, ALPN (see {@link TlsDetails}). */
    TLS_CLIENT_HELLO,
    /** The server's ServerHello: the version it chose. */
    TLS_SERVER_HELLO,
    /** The handshake is over as the proxy sees it (duration from the ClientHello). */
    TLS_HANDSHAKE_DONE,
    /** A plaintext alert record (TLS 1.2, or a handshake failure), with its level and description. */
    TLS_ALERT,
    /** The TLS reader found bytes that are not TLS and stepped aside: the stream flows on unread. */
    TLS_STEPPED_ASIDE,
    CLOSED;

    private final String jsonName = name().toLowerCase(Locale.ROOT);

    public String jsonName() {
        return jsonName;
    }
}
