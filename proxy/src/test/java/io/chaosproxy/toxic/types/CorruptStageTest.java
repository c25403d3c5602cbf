package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CorruptStageTest {
    private StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage corrupt(double rate, long everyN) {
        CorruptToxic type = new CorruptToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of("rate", rate, "every_n", everyN)));
    }

    /** Sends {@code data} in chunks of the given sizes (cycled); returns the indices of the damaged bytes. */
    private static List<Integer> damaged(StageHarness run, byte[] data, int... chunkSizes) {
        int off = 0;
        for (int i = 0; off < data.length; i++) {
            int n = Math.min(chunkSizes[i % chunkSizes.length], data.length - off);
            run.send(Arrays.copyOfRange(data, off, off + n));
            off += n;
        }
        byte[] out = run.received();
        assertThat(out).hasSameSizeAs(data);
        List<Integer> hits = new ArrayList<>();
        for (int i = 0; i < data.length; i++) {
            int diff = (data[i] ^ out[i]) & 0xff;
            if (diff != 0) {
                assertThat(Integer.bitCount(diff)).as("bits flipped in byte %d", i).isEqualTo(1);
                hits.add(i);
            }
        }
        return hits;
    }

    @Test
    void rateZeroAndEveryNZeroLeaveBytesIntact() {
        h.attach(corrupt(0, 0));
        byte[] data = StageHarness.bytes(10_000);
        assertThat(damaged(h, data, 1000)).isEmpty();
    }

    @Test
    void everyNDamagesExactlyEveryNthByteAcrossChunkBoundaries() {
        h.attach(corrupt(0, 4));
        byte[] data = StageHarness.bytes(1000);
        List<Integer> hits = damaged(h, data, 3, 5, 7, 1, 11, 13);
        List<Integer> expected = new ArrayList<>();
        for (int i = 3; i < 1000; i += 4) {
            expected.add(i);
        }
        assertThat(hits).isEqualTo(expected);
        // Chunks keep their sizes.
        assertThat(h.chunks()).extracting(o -> o.bytes().length).startsWith(3, 5, 7, 1, 11, 13);
    }

    @Test
    void everyNOneDamagesEveryByte() {
        h.attach(corrupt(0, 1));
        assertThat(damaged(h, StageHarness.bytes(500), 64)).hasSize(500);
    }

    @Test
    void everyNWinsOverRate() {
        h.attach(corrupt(1.0, 100));
        assertThat(damaged(h, StageHarness.bytes(1000), 128)).hasSize(10);
    }

    @Test
    void rateOneDamagesEveryByte() {
        h.attach(corrupt(1.0, 0));
        assertThat(damaged(h, StageHarness.bytes(500), 100)).hasSize(500);
    }

    @Test
    void rateDamagesAboutThatFractionOfBytes() {
        h = new StageHarness(1234);
        h.attach(corrupt(0.1, 0));
        int hits = damaged(h, StageHarness.bytes(100_000), 1460).size();
        // Binomial(100 000, 0.1): mean 10 000, sd ~95.
        assertThat(hits).isBetween(9_500, 10_500);
    }

    @Test
    void sameSeedSameDamageOtherSeedOtherDamage() {
        byte[] data = StageHarness.bytes(20_000);
        List<Integer> first = damagedWithSeed(7, data);
        assertThat(damagedWithSeed(7, data)).isEqualTo(first);
        assertThat(damagedWithSeed(8, data)).isNotEqualTo(first);
    }

    private static List<Integer> damagedWithSeed(long seed, byte[] data) {
        try (StageHarness run = new StageHarness(seed)) {
            run.attach(corrupt(0.01, 0));
            return damaged(run, data, 512);
        }
    }

    @Test
    void damagesOnlyTheReadableBytesOfABufferThatDoesNotStartAtZero() {
        h.attach(corrupt(0, 1));
        ByteBuf buf = Unpooled.buffer(16);
        buf.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        buf.skipBytes(4);
        ByteBuf watch = buf.retainedDuplicate();
        h.send(buf);
        assertThat(h.chunks()).hasSize(1);
        byte[] prefix = new byte[4];
        watch.getBytes(0, prefix);
        byte[] readable = new byte[4];
        watch.getBytes(4, readable);
        watch.release();
        assertThat(prefix).containsExactly(1, 2, 3, 4);
        assertThat(h.chunks().get(0).bytes()).isEqualTo(readable);
        for (int i = 0; i < 4; i++) {
            assertThat(Integer.bitCount((readable[i] ^ (5 + i)) & 0xff)).isEqualTo(1);
        }
    }

    @Test
    void passesTheFinAndHoldsNothing() {
        h.attach(corrupt(0.5, 0));
        h.send("x");
        h.sendEnd();
        assertThat(h.outputs()).extracting(Output::isEnd).containsExactly(false, true);
        assertThat(h.held()).isZero();
        assertThat(h.pendingTimers()).isZero();
    }
}
