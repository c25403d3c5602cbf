package io.chaosproxy.toxic.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.testing.StageHarness.Output;
import io.chaosproxy.toxic.ToxicStage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacketLossStageTest {
    private static final int CHUNKS = 20_000;

    private StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage packetLoss(double lossRate, double correlation) {
        PacketLossToxic type = new PacketLossToxic();
        return type.newStage(StageHarness.attributes(type.schema(),
                Map.of("loss_rate", lossRate, "correlation", correlation)));
    }

    /** Sends numbered chunks; returns which were dropped, after checking the survivors are intact and in order. */
    private static boolean[] run(StageHarness run) {
        for (int i = 0; i < CHUNKS; i++) {
            run.send(ByteBuffer.allocate(8).putInt(i).putInt(~i).array());
        }
        boolean[] dropped = new boolean[CHUNKS];
        Arrays.fill(dropped, true);
        int last = -1;
        for (Output o : run.chunks()) {
            ByteBuffer b = ByteBuffer.wrap(o.bytes());
            assertThat(o.bytes()).hasSize(8);
            int i = b.getInt();
            assertThat(b.getInt()).isEqualTo(~i);
            assertThat(i).as("order").isGreaterThan(last);
            last = i;
            dropped[i] = false;
        }
        assertThat(run.unreleased()).isZero();
        return dropped;
    }

    private static double lossFraction(boolean[] dropped) {
        int n = 0;
        for (boolean d : dropped) {
            n += d ? 1 : 0;
        }
        return (double) n / dropped.length;
    }

    private static double meanBurst(boolean[] dropped) {
        int bursts = 0;
        int lost = 0;
        for (int i = 0; i < dropped.length; i++) {
            if (dropped[i]) {
                lost++;
                if (i == 0 || !dropped[i - 1]) {
                    bursts++;
                }
            }
        }
        return (double) lost / bursts;
    }

    @Test
    void lossRateZeroDropsNothing() {
        h.attach(packetLoss(0, 0.5));
        assertThat(lossFraction(run(h))).isZero();
    }

    @Test
    void lossRateOneDropsEveryChunkButPassesTheFin() {
        h.attach(packetLoss(1, 0));
        assertThat(lossFraction(run(h))).isEqualTo(1.0);
        h.sendEnd();
        assertThat(h.ends()).isEqualTo(1);
    }

    @Test
    void dropsAboutTheLossRateOfWholeChunks() {
        h.attach(packetLoss(0.3, 0));
        boolean[] dropped = run(h);
        assertThat(lossFraction(dropped)).isBetween(0.28, 0.32);
        // Independent drops: bursts average 1 / (1 - 0.3) ~ 1.43 chunks.
        assertThat(meanBurst(dropped)).isBetween(1.3, 1.6);
    }

    @Test
    void correlationMakesLossBurstyAtTheSameAverageRate() {
        h.attach(packetLoss(0.3, 0.8));
        boolean[] dropped = run(h);
        // Stationary rate stays loss_rate; a drop follows a drop with p = 0.8 + 0.2 * 0.3 = 0.86: bursts of ~7.
        assertThat(lossFraction(dropped)).isBetween(0.24, 0.36);
        assertThat(meanBurst(dropped)).isBetween(5.5, 9.0);
    }

    /** Found by this test: the first chunk counted as "not dropped" before, so correlation 1 never dropped. */
    @Test
    void fullCorrelationAtFullLossDropsEverything() {
        h.attach(packetLoss(1.0, 1.0));
        boolean[] dropped = run(h);
        assertThat(lossFraction(dropped)).isEqualTo(1.0);
    }

    @Test
    void sameSeedSameLoss() {
        boolean[] first;
        try (StageHarness a = new StageHarness(99)) {
            a.attach(packetLoss(0.2, 0.3));
            first = run(a);
        }
        try (StageHarness b = new StageHarness(99)) {
            b.attach(packetLoss(0.2, 0.3));
            assertThat(run(b)).isEqualTo(first);
        }
        try (StageHarness c = new StageHarness(100)) {
            c.attach(packetLoss(0.2, 0.3));
            assertThat(run(c)).isNotEqualTo(first);
        }
    }
}
