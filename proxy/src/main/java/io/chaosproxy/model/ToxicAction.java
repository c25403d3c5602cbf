package io.chaosproxy.model;

/**
 * Something a toxic did that a side can feel, with its amount where it has one ({@code RST after 4096 bytes}). The
 * kind's label (amount shown as N) is the metrics' {@code action} tag, so the label set stays bounded; the text with
 * the amount is what the timeline shows.
 */
public record ToxicAction(Kind kind, long amount) {

    public enum Kind {
        HOLDING_FIN("holding FIN"),
        SWALLOWED_FIN("swallowed FIN"),
        THEN_RST("then rst"),
        THEN_FIN("then fin"),
        FIN_REPLACED_BY_RST("FIN replaced by RST"),
        RST_AFTER_MS("RST after N ms"),
        RST_AFTER_BYTES("RST after N bytes"),
        HELD_CLIENT_HELLO("held ClientHello"),
        RST_AT_CLIENT_HELLO("RST at ClientHello"),
        RST_AT_SERVER_HELLO("RST at ServerHello"),
        RST_AFTER_SERVER_FLIGHT("RST after server flight"),
        CUT_FLIGHT_AFTER_BYTES("flight cut after N bytes"),
        DELAYED_HANDSHAKE_RECORDS("handshake records delayed N ms"),
        CLOSED_AFTER_HANDSHAKE("closed after handshake");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public static ToxicAction of(Kind kind) {
        return new ToxicAction(kind, 0);
    }

    public static ToxicAction of(Kind kind, long amount) {
        return new ToxicAction(kind, amount);
    }

    /** The metrics label: the amount as N. */
    public String label() {
        return kind.label;
    }

    /** The timeline text: the amount in place of the word N ("swallowed FIN" keeps its N). */
    public String text() {
        return kind.label.replace(" N ", " " + amount + " ");
    }
}
