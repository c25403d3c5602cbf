package io.chaosproxy.engine;

import io.chaosproxy.model.DialOutcome;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * Names a failed dial from the exception's type and, on the native transports, its errno; never from message
 * text, which differs between transports and locales.
 */
final class DialFailures {
    private DialFailures() {
    }

    static DialOutcome classify(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return DialOutcome.TIMEOUT;
        }
        if (cause instanceof Errors.NativeIoException nativeError) {
            int errno = nativeError.expectedErr();
            if (errno == Errors.ERROR_ECONNREFUSED_NEGATIVE) {
                return DialOutcome.REFUSED;
            }
            if (errno == Errors.ERROR_ENETUNREACH_NEGATIVE || errno == Errors.ERROR_EHOSTUNREACH_NEGATIVE) {
                return DialOutcome.UNREACHABLE;
            }
        }
        if (cause instanceof NoRouteToHostException || cause instanceof UnknownHostException) {
            return DialOutcome.UNREACHABLE;
        }
        if (cause instanceof ConnectException) {
            // Netty's native transports and the JDK both raise this for ECONNREFUSED (and Netty for EHOSTUNREACH,
            // through a class whose errno is not readable from outside: it stays "refused", as the kernel's
            // ICMP answer to the SYN means the same thing to the client).
            return DialOutcome.REFUSED;
        }
        return DialOutcome.ERROR;
    }

    /**
     * Whether a read or write failed because the peer reset the connection (ECONNRESET, or EPIPE after its RST).
     * The native transports give the errno; NIO gives a plain IOException whose only trace of it is the message.
     */
    static boolean isReset(Throwable cause) {
        if (cause instanceof Errors.NativeIoException nativeError) {
            int errno = nativeError.expectedErr();
            return errno == Errors.ERRNO_ECONNRESET_NEGATIVE || errno == Errors.ERRNO_EPIPE_NEGATIVE;
        }
        if (!(cause instanceof IOException)) {
            return false;
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("connection reset") || message.contains("broken pipe");
    }
}
