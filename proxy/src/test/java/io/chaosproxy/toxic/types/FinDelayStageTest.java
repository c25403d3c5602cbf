package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.model.ToxicAction.Kind;
import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FinDelayStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage stage(long delayMs) {
        FinDelayToxic type = new FinDelayToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("delay", delayMs)));
    }

    @Test
    void dataPassesAtOnceAndTheFinExactlyDelayLate() {
        h.attach(stage(300));
        h.send("data");
        assertThat(h.outputs()).extracting(Output::text).containsExactly("data");
        assertThat(h.outputs().get(0).atNanos()).isZero();
        assertThat(h.held()).isZero();

        h.advance(10);
        h.sendEnd();
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.HOLDING_FIN));
        h.advance(299);
        assertThat(h.ended()).isFalse();
        h.advance(1);
        assertThat(h.outputs()).extracting(Output::text).containsExactly("data", "<FIN>");
        assertThat(h.outputs().get(1).atMillis()).isEqualTo(310);
        h.advance(1000);
        assertThat(h.ends()).isEqualTo(1);
    }

    @Test
    void delayZeroPassesTheFinAtOnce() {
        h.attach(stage(0));
        h.send("x");
        h.sendEnd();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x", "<FIN>");
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void detachPassesTheHeldFinAtOnce() {
        h.attach(stage(5000));
        h.send("x");
        h.sendEnd();
        h.advance(100);
        h.detach();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x", "<FIN>");
        assertThat(h.outputs().get(1).atMillis()).isEqualTo(100);
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void closeDropsTheHeldFinAndCancelsTheTimer() {
        h.attach(stage(5000));
        h.sendEnd();
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(10_000);
        assertThat(h.outputs()).isEmpty();
    }

    @Test
    void neverActsWithoutAFin() {
        h.attach(stage(100));
        h.send("a");
        h.send("b");
        h.advance(1000);
        assertThat(h.outputs()).extracting(Output::text).containsExactly("a", "b");
        assertThat(h.actions()).isEmpty();
        assertThat(h.pendingTimers()).isZero();
    }
}
