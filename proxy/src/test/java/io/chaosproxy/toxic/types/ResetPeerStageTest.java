package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.model.ToxicAction.Kind;
import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.toxic.ToxicStage;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResetPeerStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage resetPeer(long timeoutMs, long afterBytes) {
        ResetPeerToxic type = new ResetPeerToxic();
        return type.newStage(StageHarness.attributes(type.schema(),
                Map.of("timeout", timeoutMs, "after_bytes", afterBytes)));
    }

    @Test
    void timeoutZeroResetsAtOnceWhenAttached() {
        h.attach(resetPeer(0, 0));
        assertThat(h.resets()).containsExactly(0L);
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.RST_AFTER_MS, 0));
        assertThat(h.pendingTimers()).isZero();
        h.send("too late");
        assertThat(h.chunks()).isEmpty();
    }

    @Test
    void resetsExactlyAfterTheTimeoutAndDataFlowsUntilThen() {
        h.attach(resetPeer(100, 0));
        h.send("before");
        h.advance(99);
        h.send("still before");
        assertThat(h.resets()).isEmpty();
        assertThat(h.receivedText()).isEqualTo("beforestill before");

        h.advance(1);
        assertThat(h.resets()).containsExactly(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.RST_AFTER_MS, 100));
        h.send("after");
        assertThat(h.receivedText()).isEqualTo("beforestill before");
        h.advance(1000);
        assertThat(h.resets()).hasSize(1);
    }

    @Test
    void afterBytesDeliversExactlyThatManyThenResets() {
        h.attach(resetPeer(0, 10));
        assertThat(h.pendingTimers()).as("after_bytes alone sets no timer").isZero();
        h.send("abcdef");
        assertThat(h.resets()).isEmpty();
        h.send("ghijkl");
        assertThat(h.receivedText()).isEqualTo("abcdefghij");
        assertThat(h.resets()).hasSize(1);
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.RST_AFTER_BYTES, 10));
        h.send("more");
        assertThat(h.receivedText()).isEqualTo("abcdefghij");
        h.advance(TimeUnit.DAYS.toMillis(1));
        assertThat(h.resets()).hasSize(1);
    }

    @Test
    void bytesFirstWinsOverTheTimeoutAndResetsOnlyOnce() {
        h.attach(resetPeer(100, 4));
        h.advance(50);
        h.send("12345");
        assertThat(h.receivedText()).isEqualTo("1234");
        assertThat(h.resets()).containsExactly(TimeUnit.MILLISECONDS.toNanos(50));
        h.advance(100);
        assertThat(h.resets()).hasSize(1);
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.RST_AFTER_BYTES, 4));
    }

    @Test
    void timeoutFirstWinsOverAfterBytes() {
        h.attach(resetPeer(100, 1000));
        h.send("abc");
        h.advance(100);
        assertThat(h.resets()).containsExactly(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.RST_AFTER_MS, 100));
        h.send(StageHarness.bytes(2000));
        assertThat(h.receivedText()).isEqualTo("abc");
        assertThat(h.resets()).hasSize(1);
    }

    @Test
    void detachCancelsTheResetAndDataKeepsFlowing() {
        h.attach(resetPeer(100, 0));
        h.advance(50);
        h.detach();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.resets()).isEmpty();
    }

    @Test
    void closeCancelsTheReset() {
        h.attach(resetPeer(100, 0));
        h.advance(50);
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.resets()).isEmpty();
    }
}
