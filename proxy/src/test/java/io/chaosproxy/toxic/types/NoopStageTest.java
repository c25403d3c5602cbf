package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NoopStageTest {
    private final StageHarness h = new StageHarness(42, PooledByteBufAllocator.DEFAULT);

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage noop() {
        NoopToxic type = new NoopToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("unknown", 1)));
    }

    @Test
    void passesChunksAndTheFinThroughUnchangedAtOnce() {
        h.attach(noop());
        h.send("one");
        h.send(StageHarness.bytes(5000));
        h.sendEnd();
        assertThat(h.outputs()).hasSize(3);
        assertThat(h.outputs().get(0).text()).isEqualTo("one");
        assertThat(h.outputs().get(1).bytes()).isEqualTo(StageHarness.bytes(5000));
        assertThat(h.outputs().get(2).isEnd()).isTrue();
        assertThat(h.outputs()).extracting(Output::atNanos).containsOnly(0L);
        assertThat(h.held()).isZero();
        assertThat(h.maxHeld()).isZero();
        assertThat(h.pendingTimers()).isZero();
        assertThat(h.actions()).isEmpty();
        assertThat(h.pauseCalls()).isEmpty();
        assertThat(h.resets()).isEmpty();
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void detachChangesNothing() {
        h.attach(noop());
        h.send("x");
        h.detach();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("x");
    }
}
