package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SlicerStageTest {
    private StageHarness h = new StageHarness(42, PooledByteBufAllocator.DEFAULT);

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage slicer(long averageSize, long sizeVariation, long delayMicros) {
        SlicerToxic type = new SlicerToxic();
        return type.newStage(StageHarness.attributes(type.schema(),
                Map.of("average_size", averageSize, "size_variation", sizeVariation, "delay", delayMicros)));
    }

    private static List<Integer> sizes(List<Output> chunks) {
        return chunks.stream().map(o -> o.bytes().length).toList();
    }

    @Test
    void averageSizeZeroLeavesDataWhole() {
        h.attach(slicer(0, 0, 1000));
        h.send(StageHarness.bytes(5000));
        assertThat(sizes(h.chunks())).containsExactly(5000);
        assertThat(h.held()).isZero();
    }

    @Test
    void slicesIntoTheConfiguredSizeWithBytesIntact() {
        h.attach(slicer(10, 0, 0));
        byte[] data = StageHarness.bytes(105);
        h.send(data);
        // No delay: every slice leaves at once.
        assertThat(sizes(h.chunks())).containsExactly(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5);
        assertThat(h.chunks()).extracting(Output::atNanos).containsOnly(0L);
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void slicesLeaveDelayMicrosecondsApartTheFirstAtOnce() {
        h.attach(slicer(10, 0, 2000));
        h.send(StageHarness.bytes(40));
        assertThat(h.chunks()).hasSize(1);
        assertThat(h.held()).isEqualTo(30);
        h.advance(1);
        assertThat(h.chunks()).hasSize(1);
        h.advance(1);
        assertThat(h.chunks()).hasSize(2);
        assertThat(h.held()).isEqualTo(20);
        h.advance(10);
        assertThat(h.chunks()).extracting(Output::atMillis).containsExactly(0L, 2L, 4L, 6L);
        assertThat(h.received()).isEqualTo(StageHarness.bytes(40));
        assertThat(h.held()).isZero();
    }

    @Test
    void aLaterChunkWaitsBehindTheSlicesOfTheEarlierOne() {
        h.attach(slicer(10, 0, 1000));
        h.send("aaaaaaaaaabbbbbbbbbbcccccccccc");
        h.send("ddddddddddee");
        h.advance(100);
        assertThat(h.chunks()).extracting(Output::text)
                .containsExactly("aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc", "dddddddddd", "ee");
        assertThat(h.chunks()).extracting(Output::atMillis).containsExactly(0L, 1L, 2L, 3L, 4L);
    }

    @Test
    void sizeVariationKeepsEverySliceWithinAveragePlusOrMinusVariation() {
        h.attach(slicer(20, 5, 0));
        byte[] data = StageHarness.bytes(20_000);
        h.send(data);
        List<Integer> sizes = sizes(h.chunks());
        assertThat(sizes.subList(0, sizes.size() - 1)).allSatisfy(n -> assertThat(n).isBetween(15, 25));
        assertThat(Set.copyOf(sizes).size()).as("sizes actually vary").isGreaterThan(5);
        double mean = sizes.stream().mapToInt(Integer::intValue).average().orElseThrow();
        assertThat(mean).isBetween(19.0, 21.0);
        assertThat(h.received()).isEqualTo(data);
    }

    @Test
    void variationIsCappedSoNoSliceIsEmpty() {
        h.attach(slicer(3, 100, 0)); // variation capped at 2: sizes 1..5
        byte[] data = StageHarness.bytes(3000);
        h.send(data);
        List<Integer> sizes = sizes(h.chunks());
        assertThat(sizes).allSatisfy(n -> assertThat(n).isBetween(1, 5));
        assertThat(sizes.stream().collect(Collectors.toSet())).contains(2, 4);
        assertThat(h.received()).isEqualTo(data);
    }

    @Test
    void theFinLeavesAfterTheLastSlice() {
        h.attach(slicer(10, 0, 1000));
        h.send(StageHarness.bytes(30));
        h.sendEnd();
        h.advance(1);
        assertThat(h.ended()).isFalse();
        h.advance(1);
        List<Output> out = h.outputs();
        assertThat(out).hasSize(4);
        assertThat(out.get(3).isEnd()).isTrue();
        assertThat(out.get(3).atMillis()).isEqualTo(2);
    }

    @Test
    void detachHandsOnEverySliceAndTheFinAtOnceInOrder() {
        h.attach(slicer(10, 3, 50_000));
        byte[] data = StageHarness.bytes(500);
        h.send(data);
        h.sendEnd();
        h.advance(120);
        int before = h.chunks().size();
        assertThat(before).isEqualTo(3); // 0, 50 and 100 ms
        h.detach();
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.outputs().get(h.outputs().size() - 1).isEnd()).isTrue();
        assertThat(h.ends()).isEqualTo(1);
        assertThat(h.held()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }

    @Test
    void closeReleasesEverySliceHeld() {
        h.attach(slicer(7, 3, 10_000));
        h.send(StageHarness.bytes(1000));
        h.send(StageHarness.bytes(1000));
        h.advance(25);
        assertThat(h.held()).isGreaterThan(0);
        h.closeStage();
        assertThat(h.held()).isZero();
        assertThat(h.unreleased()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }
}
