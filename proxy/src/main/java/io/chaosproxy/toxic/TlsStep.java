package io.chaosproxy.toxic;

/** Where in the handshake a TLS record belongs, as the proxy can tell from plaintext alone. */
public enum TlsStep {
    /** The client's first record: the one carrying its ClientHello. */
    CLIENT_HELLO,
    /** The server's first handshake record: the one carrying its ServerHello. */
    SERVER_HELLO,
    /**
     * The server's records after its ServerHello until the handshake is done: certificate chain and key exchange
     * (TLS 1.2, plaintext) or the encrypted flight (TLS 1.3), ChangeCipherSpec, Finished.
     */
    SERVER_FLIGHT,
    /** The client's records after its ClientHello until the handshake is done (key exchange, Finished). */
    CLIENT_FLIGHT;

    public boolean fromClient() {
        return this == CLIENT_HELLO || this == CLIENT_FLIGHT;
    }
}
