package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chaosproxy.model.DialOutcome;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** Dial failures are named from types and errno; the message text plays no part. */
class DialFailuresTest {

    @Test
    void typesNameTheOutcomeWhateverTheMessage() {
        assertThat(DialFailures.classify(new ConnectTimeoutException("anything"))).isEqualTo(DialOutcome.TIMEOUT);
        assertThat(DialFailures.classify(new ConnectException("Verbindungsaufbau abgelehnt")))
                .isEqualTo(DialOutcome.REFUSED);
        assertThat(DialFailures.classify(new NoRouteToHostException("x"))).isEqualTo(DialOutcome.UNREACHABLE);
        assertThat(DialFailures.classify(new UnknownHostException("db"))).isEqualTo(DialOutcome.UNREACHABLE);
        assertThat(DialFailures.classify(new IOException("connection refused, unreachable")))
                .as("words in a message of another type change nothing").isEqualTo(DialOutcome.ERROR);
    }

    @Test
    void nativeErrnoNamesTheOutcome() {
        assumeTrue(Epoll.isAvailable(), "native transport not loadable here");
        assertThat(DialFailures.classify(new Errors.NativeIoException("connect", Errors.ERROR_ECONNREFUSED_NEGATIVE)))
                .isEqualTo(DialOutcome.REFUSED);
        assertThat(DialFailures.classify(new Errors.NativeIoException("connect", Errors.ERROR_ENETUNREACH_NEGATIVE)))
                .isEqualTo(DialOutcome.UNREACHABLE);
        assertThat(DialFailures.classify(new Errors.NativeIoException("connect", Errors.ERROR_EHOSTUNREACH_NEGATIVE)))
                .isEqualTo(DialOutcome.UNREACHABLE);
        assertThat(DialFailures.isReset(new Errors.NativeIoException("read", Errors.ERRNO_ECONNRESET_NEGATIVE)))
                .isTrue();
        assertThat(DialFailures.isReset(new Errors.NativeIoException("write", Errors.ERRNO_EPIPE_NEGATIVE))).isTrue();
        assertThat(DialFailures.isReset(new Errors.NativeIoException("read", Errors.ERRNO_EBADF_NEGATIVE))).isFalse();
    }
}
