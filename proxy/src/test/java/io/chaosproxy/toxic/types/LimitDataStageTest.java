package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LimitDataStageTest {
    private StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage limitData(long bytes) {
        LimitDataToxic type = new LimitDataToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("bytes", bytes)));
    }

    @Test
    void forwardsExactlyTheLimitAcrossChunksThenClosesOnce() {
        h = new StageHarness(42, PooledByteBufAllocator.DEFAULT);
        h.attach(limitData(10));
        h.send("abcd");
        h.send("efgh");
        assertThat(h.closes()).isEmpty();
        h.send("ijklmn");
        assertThat(h.receivedText()).isEqualTo("abcdefghij");
        assertThat(h.chunks()).extracting(Output::text).containsExactly("abcd", "efgh", "ij");
        assertThat(h.closes()).hasSize(1);

        h.send("more");
        h.send("and more");
        assertThat(h.receivedText()).isEqualTo("abcdefghij");
        assertThat(h.closes()).hasSize(1);
        assertThat(h.unreleased()).isZero();
        assertThat(h.held()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void aChunkThatExactlyFillsTheLimitPassesWholeAndCloses() {
        h.attach(limitData(8));
        h.send("12345678");
        assertThat(h.chunks()).extracting(Output::text).containsExactly("12345678");
        assertThat(h.closes()).hasSize(1);
    }

    @Test
    void oneByteShortOfTheLimitDoesNotClose() {
        h.attach(limitData(8));
        h.send("1234567");
        assertThat(h.closes()).isEmpty();
        h.send("8");
        assertThat(h.receivedText()).isEqualTo("12345678");
        assertThat(h.closes()).hasSize(1);
    }

    @Test
    void limitZeroLetsNothingThroughAndClosesOnTheFirstData() {
        h.attach(limitData(0));
        assertThat(h.closes()).isEmpty();
        h.send("x");
        assertThat(h.chunks()).isEmpty();
        assertThat(h.closes()).hasSize(1);
    }

    @Test
    void belowTheLimitItIsTransparentIncludingTheFin() {
        h.attach(limitData(1_000_000));
        byte[] data = StageHarness.bytes(50_000);
        h.send(data);
        h.sendEnd();
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.ends()).isEqualTo(1);
        assertThat(h.closes()).isEmpty();
    }
}
