package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.model.ToxicAction;
import io.chaosproxy.model.ToxicAction.Kind;
import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.StreamToxicType;
import io.chaosproxy.toxic.ToxicStage;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** fin_delay and Toxiproxy's slow_close share one stage (DelayedFinStage): one set of tests runs on both types. */
class DelayedFinStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    static Stream<StreamToxicType> types() {
        return Stream.of(new FinDelayToxic(), new SlowCloseToxic());
    }

    private static ToxicStage stage(StreamToxicType type, long delayMs) {
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("delay", delayMs)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void dataPassesAtOnceAndTheFinExactlyDelayLate(StreamToxicType type) {
        h.attach(stage(type, 300));
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

    @ParameterizedTest
    @MethodSource("types")
    void delayZeroPassesTheFinAtOnce(StreamToxicType type) {
        h.attach(stage(type, 0));
        h.send("x");
        h.sendEnd();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x", "<FIN>");
        assertThat(h.pendingTimers()).isZero();
    }

    @ParameterizedTest
    @MethodSource("types")
    void detachPassesTheHeldFinAtOnce(StreamToxicType type) {
        h.attach(stage(type, 5000));
        h.send("x");
        h.sendEnd();
        h.advance(100);
        h.detach();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x", "<FIN>");
        assertThat(h.outputs().get(1).atMillis()).isEqualTo(100);
        assertThat(h.pendingTimers()).isZero();
    }

    @ParameterizedTest
    @MethodSource("types")
    void closeDropsTheHeldFinAndCancelsTheTimer(StreamToxicType type) {
        h.attach(stage(type, 5000));
        h.sendEnd();
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(10_000);
        assertThat(h.outputs()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("types")
    void neverActsWithoutAFin(StreamToxicType type) {
        h.attach(stage(type, 100));
        h.send("a");
        h.send("b");
        h.advance(1000);
        assertThat(h.outputs()).extracting(Output::text).containsExactly("a", "b");
        assertThat(h.actions()).isEmpty();
        assertThat(h.pendingTimers()).isZero();
    }
}
