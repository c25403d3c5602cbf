package io.chaosproxy.toxic;

/**
 * A toxic as configured on a proxy: immutable; an update replaces it.
 *
 * @param toxicity the chance, decided once per connection and direction, that the toxic applies at all
 */
public record Toxic(String name, ToxicType type, StreamDirection stream, double toxicity, Attributes attributes) {

    public Toxic withSettings(double newToxicity, Attributes newAttributes) {
        return new Toxic(name, type, stream, newToxicity, newAttributes);
    }
}
