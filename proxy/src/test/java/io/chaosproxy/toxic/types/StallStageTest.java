package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StallStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage stall(long durationMs) {
        StallToxic type = new StallToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("duration", durationMs)));
    }

    @Test
    void stopsReadingWhenAttachedAndResumesExactlyAfterTheDuration() {
        h.attach(stall(300));
        assertThat(h.pauseCalls()).containsExactly(true);
        h.advance(299);
        assertThat(h.readingPaused()).isTrue();
        h.advance(1);
        assertThat(h.pauseCalls()).containsExactly(true, false);
        assertThat(h.readingPaused()).isFalse();
        h.advance(10_000);
        assertThat(h.pauseCalls()).hasSize(2);
    }

    @Test
    void durationZeroStaysStalledUntilRemovedThenResumes() {
        h.attach(stall(0));
        assertThat(h.pendingTimers()).isZero();
        h.advance(TimeUnit.DAYS.toMillis(1));
        assertThat(h.pauseCalls()).containsExactly(true);
        h.detach();
        assertThat(h.pauseCalls()).containsExactly(true, false);
    }

    @Test
    void detachBeforeTheDurationResumesAtOnceAndCancelsTheTimer() {
        h.attach(stall(300));
        h.advance(100);
        h.detach();
        assertThat(h.pauseCalls()).containsExactly(true, false);
        assertThat(h.pendingTimers()).isZero();
    }

    /**
     * Bytes that still arrive while stalled (read before the pause took effect, or kept while the dial ran) wait
     * for the end of the stall, then go on in order. Found by PhaseToxicsTest: they used to pass straight through,
     * so 2 KiB reached the server during a stall.
     */
    @Test
    void bytesArrivingWhileStalledWaitForTheEndOfTheStallInOrder() {
        h.attach(stall(1000));
        h.send("in ");
        h.send("flight");
        h.sendEnd();
        assertThat(h.outputs()).isEmpty();
        assertThat(h.held()).isEqualTo(9);
        h.advance(999);
        assertThat(h.outputs()).isEmpty();
        h.advance(1);
        assertThat(h.outputs()).extracting(Output::text).containsExactly("in ", "flight", "<FIN>");
        assertThat(h.held()).isZero();
    }

    @Test
    void closeReleasesWhatTheStallHeld() {
        h.attach(stall(0));
        h.send("never delivered");
        h.closeStage();
        assertThat(h.outputs()).isEmpty();
        assertThat(h.held()).isZero();
    }

    @Test
    void closeCancelsTheTimerWithoutResuming() {
        h.attach(stall(300));
        h.closeStage();
        assertThat(h.pendingTimers()).isZero();
        h.advance(1000);
        assertThat(h.pauseCalls()).containsExactly(true);
    }
}
