package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A toxic as configured on a proxy: immutable; an update replaces it (keeping its connection count).
 *
 * @param toxicity the chance, decided once per connection and direction, that the toxic applies at all
 * @param selector which connections it may apply to, or null for all
 * @param schedule when it arms and disarms itself, or null for at once and until removed
 * @param seed seeds this toxic's random choices, or null to use the connection's
 * @param armed false while a schedule has not started it yet
 * @param connectionsSeen counts connections this toxic was considered for, for the selector
 * @param trafficSeen counts connections (packet engine: connection attempts) that went through the proxy while this
 *     toxic was armed, whether or not it applied to them: 0 means it could not have tested anything
 */
public record Toxic(String name, ToxicType type, Direction stream, double toxicity, Attributes attributes,
        Selector selector, Schedule schedule, Long seed, boolean armed, AtomicLong connectionsSeen,
        AtomicLong trafficSeen) {

    public Toxic(String name, ToxicType type, Direction stream, double toxicity, Attributes attributes) {
        this(name, type, stream, toxicity, attributes, null, null, null, true, new AtomicLong(), new AtomicLong());
    }

    public Toxic withSettings(double newToxicity, Attributes newAttributes) {
        return new Toxic(name, type, stream, newToxicity, newAttributes, selector, schedule, seed, armed,
                connectionsSeen, trafficSeen);
    }

    public Toxic withArmed(boolean nowArmed) {
        return new Toxic(name, type, stream, toxicity, attributes, selector, schedule, seed, nowArmed,
                connectionsSeen, trafficSeen);
    }
}
