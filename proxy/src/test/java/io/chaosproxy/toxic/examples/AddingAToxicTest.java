package io.chaosproxy.toxic.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyException;
import io.chaosproxy.model.Direction;
import io.chaosproxy.model.Leg;
import io.chaosproxy.model.ValidationException;
import io.chaosproxy.testing.EchoServer;
import io.chaosproxy.testing.LeakCheckExtension;
import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.testing.StageHarness;
import io.chaosproxy.toxic.SegmentFault;
import io.chaosproxy.toxic.ToxicEngine;
import io.chaosproxy.toxic.ToxicTypes;
import io.chaosproxy.toxic.types.BuiltInToxics;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/ARCHITECTURE.md's claim, checked: a new toxic of any kind is one file plus one registration line; the
 * engines and the validation pick it up from the interface it implements and its schema.
 */
@ExtendWith(LeakCheckExtension.class)
class AddingAToxicTest {

    private static ToxicTypes registry() {
        ToxicTypes types = BuiltInToxics.registry();
        types.register(new HalfLatencyToxic());      // the one line each
        types.register(new RefuseFirstToxic());
        types.register(new DropSecondSynToxic());
        return types;
    }

    @Test
    void aConnectPhaseToxicResetsTheClientThroughARealProxy() throws Exception {
        try (ProxyHarness h = new ProxyHarness(EngineConfig.defaults(), registry()); EchoServer echo = new EchoServer()) {
            Proxy p = h.proxy("refusing", echo.port());
            h.toxic("refusing", "refuse_first", "downstream", Map.of());
            try (Socket s = ProxyHarness.connect(p)) {
                assertThatThrownBy(() -> {
                    s.getOutputStream().write('x');
                    s.getInputStream().read();
                }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            }
        }
    }

    @Test
    void aStreamToxicIsValidatedFromItsSchemaAndActsChunkByChunk() {
        try (ProxyHarness h = new ProxyHarness(EngineConfig.defaults(), registry()); EchoServer echo = new EchoServer()) {
            h.proxy("slow", echo.port());
            assertThatThrownBy(() -> h.toxic("slow", "half_latency", "downstream", Map.of("latency", -1)))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("latency");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        HalfLatencyToxic type = new HalfLatencyToxic();
        try (StageHarness run = new StageHarness()) {
            run.attach(type.newStage(StageHarness.attributes(type.schema(), Map.of("latency", 200))));
            run.send("a");
            run.send("b");
            run.advance(199);
            assertThat(run.receivedText()).as("the odd chunk waits, the even one keeps its place behind it").isEmpty();
            run.advance(1);
            assertThat(run.receivedText()).isEqualTo("ab");
        }
    }

    @Test
    void aPacketToxicDeclaresItsFaultAndNeedsThePacketEngine() throws Exception {
        DropSecondSynToxic type = new DropSecondSynToxic();
        assertThat(type.engine()).isEqualTo(ToxicEngine.PACKET);
        assertThat(type.fault(StageHarness.attributes(type.schema(), Map.of()), Direction.UPSTREAM))
                .isEqualTo(SegmentFault.drop(Leg.CLIENT, SegmentFault.Target.SYN, 2));
        try (ProxyHarness h = new ProxyHarness(EngineConfig.defaults(), registry()); EchoServer echo = new EchoServer()) {
            h.proxy("packets", echo.port());
            // The harness runs without a packet engine (no NFQUEUE of its own), and the API says why.
            assertThatThrownBy(() -> h.toxic("packets", "syn_drop_twice", "upstream", Map.of()))
                    .isInstanceOf(ProxyException.class).hasMessageContaining("packet");
        }
    }
}
