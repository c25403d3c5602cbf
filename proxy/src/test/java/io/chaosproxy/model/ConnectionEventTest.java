package io.chaosproxy.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Typed events render the same words the timeline and the live feed always showed. */
class ConnectionEventTest {

    @Test
    void toxicActionTextCarriesItsAmountAndTheLabelKeepsN() {
        ToxicAction afterBytes = ToxicAction.of(ToxicAction.Kind.RST_AFTER_BYTES, 4096);
        assertThat(afterBytes.text()).isEqualTo("RST after 4096 bytes");
        assertThat(afterBytes.label()).isEqualTo("RST after N bytes");
        assertThat(ToxicAction.of(ToxicAction.Kind.SWALLOWED_FIN).text()).isEqualTo("swallowed FIN");
        assertThat(ToxicAction.of(ToxicAction.Kind.FIN_REPLACED_BY_RST).text()).isEqualTo("FIN replaced by RST");
    }

    @Test
    void detailIsTheSubjectOfEachType() {
        assertThat(ConnectionEvent.accepted("p", 1, 0, "127.0.0.1:5000").detail()).isEqualTo("127.0.0.1:5000");
        assertThat(ConnectionEvent.dialEnded("p", 1, 0, DialOutcome.REFUSED, 5).detail()).isEqualTo("refused");
        assertThat(ConnectionEvent.dialEnded("p", 1, 0, DialOutcome.CONNECTED, 5).type())
                .isEqualTo(EventType.UPSTREAM_CONNECTED);
        assertThat(ConnectionEvent.toxicAction("p", 1, 0, Leg.CLIENT, "fin_drop_downstream",
                ToxicAction.of(ToxicAction.Kind.THEN_RST)).detail()).isEqualTo("fin_drop_downstream: then rst");
        assertThat(ConnectionEvent.closed("p", 1, 0, CloseReason.UPSTREAM_TIMEOUT, 9).detail())
                .isEqualTo("upstream_timeout");
        assertThat(ConnectionEvent.rst("p", 1, 0, Leg.SERVER, "after its FIN").detail()).isEqualTo("after its FIN");
        assertThat(ConnectionEvent.fin("p", 1, 0, Leg.SERVER).detail()).isNull();
    }

    @Test
    void aFailedDialNamesTheCloseReason() {
        assertThat(DialOutcome.REFUSED.closeReason()).isEqualTo(CloseReason.UPSTREAM_REFUSED);
        assertThat(DialOutcome.TIMEOUT.closeReason()).isEqualTo(CloseReason.UPSTREAM_TIMEOUT);
        assertThat(DialOutcome.UNREACHABLE.closeReason()).isEqualTo(CloseReason.UPSTREAM_UNREACHABLE);
        assertThat(DialOutcome.ERROR.closeReason()).isEqualTo(CloseReason.ERROR);
    }
}
