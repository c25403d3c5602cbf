package io.chaosproxy.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.scenario.ScenarioRecord.SocketEntry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every stream-engine scenario of the catalogue, run for real, observed as it states (the checks each scenario
 * carries), plus the points that make each one worth knowing, asserted here again in the test's own words.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamScenariosTest {
    private static ScenarioTesting t;

    @BeforeAll
    static void start() {
        t = new ScenarioTesting(false);
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void upstreamRefusedBecomesAResetAfterConnect() {
        ScenarioRecord r = t.runAsStated("upstream-refused");
        // The RST usually comes after connect() returned, but may beat it home (see the catalogue's text):
        // either way the client sees a reset, never a refusal or an EOF.
        assertThat(r.client().message()).contains("Connection reset");
        assertThat(r.server().accepted()).isZero();
        assertThat(r.connections().get(0).closeReason()).isEqualTo("upstream_refused");
    }

    @Test
    void upstreamBlackholedResetsTheClientAfterTheProxysConnectTimeout() {
        ScenarioRecord r = t.runAsStated("upstream-blackholed");
        assertThat(r.client().totalMillis()).isBetween(950.0, 2200.0);
        assertThat(r.connections().get(0).closeReason()).isEqualTo("upstream_timeout");
    }

    @Test
    void rstRightAfterEstablishmentResetsBeforeAnyByte() {
        ScenarioRecord r = t.runAsStated("rst-after-establishment");
        assertThat(r.client().bytesReceived()).isZero();
        assertThat(r.client().exceptionClass()).isEqualTo("SocketException");
    }

    @Test
    void rstMidResponseLeavesThePartOfTheBodyAlreadyReceived() {
        ScenarioRecord r = t.runAsStated("rst-mid-response");
        assertThat(r.client().bytesReceived()).isPositive().isLessThanOrEqualTo(16384);
        assertThat(r.client().message()).contains("Connection reset");
    }

    @Test
    void stallShorterThanTheReadTimeoutOnlySlowsTheAnswer() {
        ScenarioRecord r = t.runAsStated("stall-shorter-than-read-timeout");
        assertThat(r.client().outcome()).isEqualTo("ok");
        assertThat(r.client().bytesReceived()).isGreaterThan(1024 * 1024);
        assertThat(r.client().totalMillis()).isBetween(950.0, 1950.0);
    }

    @Test
    void stallLongerThanTheReadTimeoutTimesOutWithTheAnswerQueuedAtTheProxy() {
        ScenarioRecord r = t.runAsStated("stall-longer-than-read-timeout");
        assertThat(r.client().message()).contains("Read timed out");
        assertThat(r.sockets().get(0).entries()).filteredOn(e -> e.role().equals("proxy (server leg)"))
                .allSatisfy(e -> assertThat(e.state()).isEqualTo("ESTABLISHED"))
                .anySatisfy(e -> assertThat(e.rxQueue()).isPositive());
    }

    @Test
    void latencyAboveTheReadTimeoutFailsTheClientWhileTheServerSucceeded() {
        ScenarioRecord r = t.runAsStated("latency-above-read-timeout");
        assertThat(r.client().message()).contains("Read timed out");
        assertThat(r.server().steps()).anySatisfy(s -> assertThat(s.what()).startsWith("wrote 64 bytes"));
    }

    @Test
    void dataCutAfterNBytesIsACleanEofBeforeTheAnnouncedLength() {
        ScenarioRecord r = t.runAsStated("data-cut-after-n-bytes");
        assertThat(r.client().outcome()).isEqualTo("eof");
        assertThat(r.client().exceptionClass()).isNull();
        assertThat(r.client().bytesReceived()).isEqualTo(1000);
    }

    @Test
    void serverFinSwallowedTimesTheClientOutWhileTheServerSocketIsClosed() {
        ScenarioRecord r = t.runAsStated("server-fin-swallowed");
        assertThat(r.client().message()).contains("Read timed out");
        assertThat(r.sockets().get(0).entries()).extracting(SocketEntry::role, SocketEntry::state)
                .contains(org.assertj.core.groups.Tuple.tuple("client", "ESTABLISHED"),
                        org.assertj.core.groups.Tuple.tuple("server", "FIN_WAIT2"),
                        org.assertj.core.groups.Tuple.tuple("proxy (server leg)", "CLOSE_WAIT"));
        assertThat(r.client().saw()).contains("Connection reset");
    }

    @Test
    void clientFinSwallowedLetsTheServersReadTimeOut() {
        ScenarioRecord r = t.runAsStated("client-fin-swallowed");
        assertThat(r.client().bytesReceived()).isZero();
        assertThat(r.server().steps()).anySatisfy(s -> assertThat(s.what()).startsWith("read timed out"));
    }

    @Test
    void finDelayedDelaysOnlyTheEof() {
        ScenarioRecord r = t.runAsStated("fin-delayed");
        assertThat(r.client().totalMillis()).isBetween(950.0, 1800.0);
    }

    @Test
    void rstInsteadOfFinResetsAfterTheWholeBody() {
        ScenarioRecord r = t.runAsStated("rst-instead-of-fin");
        assertThat(r.client().bytesReceived()).isEqualTo(Programs.head(0, false).length() + 64);
        assertThat(r.client().message()).contains("Connection reset");
    }

    @Test
    void serverClosingWhileTheClientSendsResetsTheClientsWrite() {
        ScenarioRecord r = t.runAsStated("server-closes-while-client-sends");
        assertThat(r.client().steps()).anySatisfy(s -> assertThat(s.what()).startsWith("write failed"));
    }

    // ---- TLS ----

    @Test
    void tlsHelloStalledTimesTheClientOutInItsHandshake() {
        ScenarioRecord r = t.runAsStated("tls-hello-stalled");
        assertThat(r.client().exceptionClass()).isEqualTo("SocketTimeoutException");
        assertThat(r.client().steps()).anySatisfy(s -> assertThat(s.what()).startsWith("TLS handshake failed"));
        assertThat(r.server().steps()).noneSatisfy(s -> assertThat(s.what()).startsWith("TLS handshake done"));
    }

    @Test
    void tlsResetAfterClientHelloIsAPlainResetToTheClient() {
        ScenarioRecord r = t.runAsStated("tls-reset-after-client-hello");
        assertThat(r.client().exceptionClass()).isEqualTo("SocketException");
        assertThat(r.connections().get(0).closeReason()).isEqualTo("toxic");
    }

    @Test
    void tlsFlightCutEndsTheHandshakeWithAnEof() {
        ScenarioRecord r = t.runAsStated("tls-flight-cut");
        assertThat(r.client().exceptionClass()).isEqualTo("SSLHandshakeException");
        assertThat(r.client().message()).contains("Remote host terminated the handshake");
    }

    @Test
    void tlsSlowHandshakeDelaysOnlyTheHandshake() {
        ScenarioRecord r = t.runAsStated("tls-slow-handshake");
        assertThat(r.client().outcome()).isEqualTo("ok");
        assertThat(r.server().steps()).anySatisfy(s -> assertThat(s.what()).isEqualTo("TLS handshake done: TLSv1.3"));
    }

    @Test
    void tlsClosedAfterHandshakeGivesTheClientAnEofAfterASuccessfulHandshake() {
        ScenarioRecord r = t.runAsStated("tls-closed-after-handshake");
        assertThat(r.client().outcome()).isEqualTo("eof");
        assertThat(r.client().steps()).anySatisfy(s -> assertThat(s.what()).startsWith("TLS handshake done: TLSv1.3"));
        assertThat(r.server().steps()).as("the request never reached the server")
                .anySatisfy(s -> assertThat(s.what()).isEqualTo("read EOF after 0 bytes"))
                .noneSatisfy(s -> assertThat(s.what()).startsWith("read 34 bytes"));
    }
}
