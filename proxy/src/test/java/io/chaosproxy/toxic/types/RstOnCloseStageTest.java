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

class RstOnCloseStageTest {
    private final StageHarness h = new StageHarness();

    @AfterEach
    void nothingLeaks() {
        h.close();
    }

    private static ToxicStage rstOnClose() {
        RstOnCloseToxic type = new RstOnCloseToxic();
        return type.newStage(StageHarness.attributes(type.schema(), Map.of()));
    }

    @Test
    void dataPassesUnchanged() {
        h.attach(rstOnClose());
        byte[] data = StageHarness.bytes(3000);
        h.send(data);
        assertThat(h.received()).isEqualTo(data);
        assertThat(h.resets()).isEmpty();
        assertThat(h.actions()).isEmpty();
    }

    @Test
    void theFinBecomesAResetAndIsRecorded() {
        h.attach(rstOnClose());
        h.send("last words");
        h.advance(20);
        h.sendEnd();
        assertThat(h.outputs()).extracting(Output::text).containsExactly("last words");
        assertThat(h.ended()).isFalse();
        assertThat(h.resets()).hasSize(1);
        assertThat(h.actions()).containsExactly(ToxicAction.of(Kind.FIN_REPLACED_BY_RST));
        assertThat(h.closes()).isEmpty();
    }

    @Test
    void detachDoesNothing() {
        h.attach(rstOnClose());
        h.detach();
        assertThat(h.outputs()).isEmpty();
        assertThat(h.resets()).isEmpty();
        assertThat(h.pendingTimers()).isZero();
    }
}
