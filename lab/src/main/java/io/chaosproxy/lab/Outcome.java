package io.chaosproxy.lab;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** What one request experienced, as the client saw it: the {@code outcome} label of the client's metrics. */
public enum Outcome {
    /** A complete, correct answer. */
    OK,
    /** connect() did not complete within the connect timeout (SYNs unanswered, or dropped). */
    CONNECT_TIMEOUT,
    /** connect() got an RST back: nothing listens (a disabled proxy, a stopped server). */
    CONNECTION_REFUSED,
    /** Connected, then an RST: {@code Connection reset} on read, {@code Broken pipe} on write. */
    CONNECTION_RESET,
    /** Connected, then no byte for the read timeout (a stall, a black hole, a swallowed FIN). */
    READ_TIMEOUT,
    /** Connected, then an EOF before the whole answer arrived (limit_data, a FIN in the middle of a reply). */
    EOF_EARLY,
    /** Echo only: the bytes that came back differ from those sent (the corrupt toxic). */
    CORRUPT,
    /** Anything else: an unreachable host, a name that does not resolve, a malformed or non-200 reply. */
    ERROR;

    /** The label value: {@code connection_reset}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Classifies a failure. {@code connected} tells whether connect() had completed: a timeout before it is a
     * connect timeout, after it a read timeout.
     */
    public static Outcome of(IOException e, boolean connected) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (e instanceof SocketTimeoutException) {
            return connected ? READ_TIMEOUT : CONNECT_TIMEOUT;
        }
        if (e instanceof ConnectException || !connected) {
            if (message.contains("refused")) {
                return CONNECTION_REFUSED;
            }
            if (message.contains("timed out")) {
                return CONNECT_TIMEOUT; // the kernel gave up retrying SYNs before our timeout
            }
            if (message.contains("reset")) {
                return CONNECTION_RESET;
            }
            return ERROR;
        }
        if (e instanceof EOFException) {
            return EOF_EARLY;
        }
        if (e instanceof SocketException) {
            if (message.contains("reset") || message.contains("broken pipe")) {
                return CONNECTION_RESET;
            }
            if (message.contains("timed out")) {
                return READ_TIMEOUT;
            }
        }
        return ERROR;
    }
}
