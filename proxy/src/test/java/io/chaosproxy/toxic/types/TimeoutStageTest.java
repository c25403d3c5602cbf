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

class TimeoutStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage timeout(long timeoutMs) {
        TimeoutToxic type = new TimeoutToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("timeout", timeoutMs)));
    }

    @Test
    void swallowsDataAndClosesExactlyAfterTheTimeout() {
        h.attach(timeout(500));
        h.send("lost");
        h.advance(200);
        h.send(StageHarness.bytes(10_000));
        assertThat(h.outputs()).isEmpty();
        assertThat(h.unreleased()).isZero();
        assertThat(h.held()).isZero();

        h.advance(299);
        assertThat(h.closes()).isEmpty();
        h.advance(1);
        assertThat(h.closes()).containsExactly(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(h.resets()).isEmpty();
        h.advance(10_000);
        assertThat(h.closes()).hasSize(1);
        assertThat(h.outputs()).isEmpty();
    }

    @Test
    void timeoutZeroNeverCloses() {
        h.attach(timeout(0));
        h.send("lost");
        assertThat(h.pendingTimers()).isZero();
        h.advance(TimeUnit.DAYS.toMillis(1));
        assertThat(h.closes()).isEmpty();
        assertThat(h.outputs()).isEmpty();
    }

    @Test
    void swallowsTheFinAndRecordsIt() {
        h.attach(timeout(0));
        h.sendEnd();
        assertThat(h.ended()).isFalse();
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.SWALLOWED_FIN));
    }

    @Test
    void detachPassesOnTheSwallowedFinAndCancelsTheClose() {
        h.attach(timeout(500));
        h.send("lost");
        h.sendEnd();
        h.advance(100);
        h.detach();
        assertThat(h.outputs()).hasSize(1);
        assertThat(h.outputs().get(0).isEnd()).isTrue();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void detachWithoutAFinSendsNone() {
        h.attach(timeout(500));
        h.detach();
        assertThat(h.outputs()).isEmpty();
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void closeCancelsTheTimer() {
        h.attach(timeout(500));
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.closes()).isEmpty();
    }
}
