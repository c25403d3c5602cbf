package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The connection's transitions, as docs/ARCHITECTURE.md draws them. */
class ConnectionStateTest {

    @Test
    void closedIsFinalAndEveryStateCanEnd() {
        for (ConnectionState s : ConnectionState.values()) {
            assertThat(ConnectionState.CLOSED.canMoveTo(s)).as("closed -> " + s).isFalse();
            if (s != ConnectionState.CLOSED) {
                assertThat(s.canMoveTo(ConnectionState.CLOSED)).as(s + " -> closed").isTrue();
            }
        }
    }

    @Test
    void bytesFlowOnlyWhileOpenOrHalfClosed() {
        assertThat(ConnectionState.CONNECTING.forwarding()).isFalse();
        assertThat(ConnectionState.OPEN.forwarding()).isTrue();
        assertThat(ConnectionState.HALF_CLOSED.forwarding()).isTrue();
        assertThat(ConnectionState.CLOSED.forwarding()).isFalse();
        assertThat(ConnectionState.HALF_CLOSED.canMoveTo(ConnectionState.OPEN)).isFalse();
        assertThat(ConnectionState.OPEN.canMoveTo(ConnectionState.CONNECTING)).isFalse();
        assertThat(ConnectionState.CONNECTING.canMoveTo(ConnectionState.HALF_CLOSED)).as("a FIN came early")
                .isTrue();
    }
}
