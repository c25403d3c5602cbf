package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.model.ToxicAction.Kind;
import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FinDropStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage finDrop(long thenMs, String then) {
        FinDropToxic type = new FinDropToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("then_ms", thenMs, "then", then)));
    }

    @Test
    void swallowsTheFinRecordsItAndLetsDataThrough() {
        h.attach(finDrop(0, "none"));
        h.send("data");
        h.sendEnd();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("data");
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.SWALLOWED_FIN));
        assertThat(h.pendingTimers()).isZero();
        h.advance(TimeUnit.DAYS.toMillis(1));
        assertThat(h.ended()).isFalse();
        assertThat(h.resets()).isEmpty();
    }

    @Test
    void thenRstResetsExactlyAfterThenMs() {
        h.attach(finDrop(200, "rst"));
        h.advance(50);
        h.sendEnd();
        h.advance(199);
        assertThat(h.resets()).isEmpty();
        h.advance(1);
        assertThat(h.resets()).containsExactly(TimeUnit.MILLISECONDS.toNanos(250));
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.SWALLOWED_FIN), ToxicAction.of(Kind.THEN_RST));
        assertThat(h.ended()).isFalse();
    }

    @Test
    void thenFinPassesTheFinOnExactlyAfterThenMs() {
        h.attach(finDrop(200, "fin"));
        h.sendEnd();
        h.advance(199);
        assertThat(h.ended()).isFalse();
        h.advance(1);
        assertThat(h.outputs()).hasSize(1);
        assertThat(h.outputs().get(0).isEnd()).isTrue();
        assertThat(h.outputs().get(0).atMillis()).isEqualTo(200);
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.SWALLOWED_FIN), ToxicAction.of(Kind.THEN_FIN));
        assertThat(h.resets()).isEmpty();
    }

    @Test
    void thenFinFollowedByDetachDoesNotSendASecondFin() {
        h.attach(finDrop(100, "fin"));
        h.sendEnd();
        h.advance(100);
        h.detach();
        assertThat(h.ends()).isEqualTo(1);
    }

    @Test
    void thenNoneWithATimeSetsNoTimer() {
        h.attach(finDrop(100, "none"));
        h.sendEnd();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.outputs()).isEmpty();
        assertThat(h.resets()).isEmpty();
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.SWALLOWED_FIN));
    }

    @Test
    void thenMsZeroMeansNeverEvenForRst() {
        h.attach(finDrop(0, "rst"));
        h.sendEnd();
        assertThat(h.pendingTimers()).isZero();
        h.advance(TimeUnit.DAYS.toMillis(1));
        assertThat(h.resets()).isEmpty();
    }

    @Test
    void detachPassesOnTheOwedFinOnceAndCancelsTheAction() {
        h.attach(finDrop(500, "rst"));
        h.send("x");
        h.sendEnd();
        h.advance(100);
        h.detach();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x", "<FIN>");
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.resets()).isEmpty();
    }

    @Test
    void detachBeforeAnyFinSendsNone() {
        h.attach(finDrop(500, "fin"));
        h.detach();
        assertThat(h.outputs()).isEmpty();
    }

    @Test
    void closeCancelsThePendingAction() {
        h.attach(finDrop(500, "rst"));
        h.sendEnd();
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.resets()).isEmpty();
        assertThat(h.outputs()).isEmpty();
    }
}
