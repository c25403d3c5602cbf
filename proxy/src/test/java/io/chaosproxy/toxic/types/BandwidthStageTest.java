package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BandwidthStageTest {
    private StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage bandwidth(long rateKbPerSecond) {
        BandwidthToxic type = new BandwidthToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("rate", rateKbPerSecond)));
    }

    @Test
    void releasesAtTheSetRateInSlicesOfAHundredMilliseconds() {
        h.attach(bandwidth(1)); // 1000 bytes/s: slices of 100 bytes, one per 100 ms
        byte[] data = StageHarness.bytes(1000);
        h.send(data);
        assertThat(h.outputs()).isEmpty();
        assertThat(h.held()).isEqualTo(1000);

        h.advance(99);
        assertThat(h.outputs()).isEmpty();
        h.advance(1);
        assertThat(h.received()).hasSize(100);
        assertThat(h.held()).isEqualTo(900);

        h.advance(450);
        assertThat(h.received()).hasSize(500);
        assertThat(h.held()).isEqualTo(500);

        h.advance(450);
        List<Output> out = h.chunks();
        assertThat(out).hasSize(10).allSatisfy(o -> assertThat(o.bytes()).hasSize(100));
        assertThat(out).extracting(Output::atMillis)
                .containsExactly(100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L);
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.held()).isZero();
    }

    @Test
    void queuedChunksContinueAtTheRateBehindEachOther() {
        h.attach(bandwidth(1));
        h.send(StageHarness.bytes(250));
        h.advance(50);
        h.send(StageHarness.bytes(150));
        h.advance(1000);
        // 250 bytes take 250 ms; the next 150 bytes start after them, not at their own arrival.
        assertThat(h.chunks()).extracting(o -> o.bytes().length).containsExactly(100, 100, 50, 100, 50);
        assertThat(h.chunks()).extracting(Output::atMillis).containsExactly(100L, 200L, 250L, 350L, 400L);
    }

    @Test
    void anIdleLinkGivesNoBurstCredit() {
        h.attach(bandwidth(1));
        h.send(StageHarness.bytes(100));
        h.advance(5000);
        h.send(StageHarness.bytes(100));
        h.advance(99);
        assertThat(h.chunks()).hasSize(1);
        h.advance(1);
        assertThat(h.chunks()).extracting(Output::atMillis).containsExactly(100L, 5100L);
    }

    @Test
    void aLargeTransferNeverRunsAheadOfTheRate() {
        h = new StageHarness(42, PooledByteBufAllocator.DEFAULT);
        h.attach(bandwidth(10)); // 10 000 bytes/s
        byte[] all = StageHarness.bytes(64 * 1024);
        for (int off = 0; off < all.length; off += 4096) {
            h.send(Arrays.copyOfRange(all, off, off + 4096));
        }
        long deliveredByNow = 0;
        for (int ms = 5; ms <= 7000; ms += 5) {
            h.advance(5);
            deliveredByNow = h.receivedCount();
            // At most what the rate allows since the start (the first slice leaves after its own send time).
            assertThat(deliveredByNow).as("bytes by %d ms", ms).isLessThanOrEqualTo(10L * ms);
            assertThat(h.held()).isEqualTo(all.length - deliveredByNow);
        }
        assertThat(h.received()).isEqualTo(all);
        // 65 536 bytes at 10 000 bytes/s: 6553.6 ms.
        long last = h.chunks().get(h.chunks().size() - 1).atNanos();
        assertThat(last).isBetween(TimeUnit.MICROSECONDS.toNanos(6_553_590), TimeUnit.MICROSECONDS.toNanos(6_553_600));
    }

    @Test
    void theFinWaitsBehindTheData() {
        h.attach(bandwidth(1));
        h.send(StageHarness.bytes(300));
        h.sendEnd();
        h.advance(299);
        assertThat(h.ended()).isFalse();
        h.advance(1);
        List<Output> out = h.outputs();
        assertThat(out).hasSize(4);
        assertThat(out.get(3).isEnd()).isTrue();
        assertThat(out.get(3).atMillis()).isEqualTo(300);
    }

    @Test
    void aFinWithNothingHeldPassesAtOnce() {
        h.attach(bandwidth(1));
        h.sendEnd();
        assertThat(h.ends()).isEqualTo(1);
    }

    @Test
    void rateZeroLetsNothingThroughAndSetsNoTimer() {
        h.attach(bandwidth(0));
        h.send("abc");
        h.sendEnd();
        h.advance(TimeUnit.HOURS.toMillis(1));
        assertThat(h.outputs()).isEmpty();
        assertThat(h.held()).isEqualTo(3);
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void rateZeroDetachHandsEverythingOnInOrder() {
        h.attach(bandwidth(0));
        h.send("abc");
        h.send("def");
        h.sendEnd();
        h.advance(1000);
        h.detach();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("abc", "def", "<FIN>");
        assertThat(h.held()).isZero();
    }

    @Test
    void detachHandsOnTheRestAtOnceInOrder() {
        h.attach(bandwidth(1));
        byte[] data = StageHarness.bytes(1000);
        h.send(data);
        h.sendEnd();
        h.advance(250);
        assertThat(h.received()).hasSize(200);
        h.detach();
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.outputs().get(h.outputs().size() - 1).isEnd()).isTrue();
        assertThat(h.chunks().subList(2, h.chunks().size())).extracting(Output::atMillis).containsOnly(250L);
        assertThat(h.held()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void closeReleasesEverythingHeldIncludingSlices() {
        h = new StageHarness(42, PooledByteBufAllocator.DEFAULT);
        h.attach(bandwidth(1));
        h.send(StageHarness.bytes(1000));
        h.send(StageHarness.bytes(333));
        h.advance(150);
        h.closeStage();
        assertThat(h.received()).hasSize(100);
        assertThat(h.held()).isZero();
        assertThat(h.unreleased()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void rateZeroCloseReleasesEverything() {
        h.attach(bandwidth(0));
        h.send(StageHarness.bytes(100));
        h.closeStage();
        assertThat(h.held()).isZero();
        assertThat(h.unreleased()).isZero();
    }
}
