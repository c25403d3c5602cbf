package io.chaosproxy.toxic;

import io.chaosproxy.model.Direction;
import java.net.InetAddress;
import java.util.Random;

/**
 * Whether a toxic applies to one candidate: a connection for the stream engine, a connection attempt for the packet
 * engine. Both engines use this one copy, so a selector, a toxicity and a seed mean the same thing whichever engine
 * carries the toxic out: the toxic is armed, its selector picks the candidate (each candidate counted once, in
 * arrival order), and a draw from the candidate's random source falls below the toxicity.
 */
public final class Applicability {
    private Applicability() {
    }

    /**
     * The selector's verdict for the {@code candidateNumber}-th candidate (1-based) of this toxic; {@code client} is
     * the client's address where the candidate has one (selectors by CIDR), else null.
     */
    public static boolean selects(Toxic toxic, long candidateNumber, InetAddress client) {
        return toxic.armed() && (toxic.selector() == null || toxic.selector().matches(candidateNumber, client));
    }

    /**
     * The random source of one toxic for one candidate and direction. With a seed of its own the toxic's choices
     * follow from that seed and the candidate's number, so the same seed and the same sequence of candidates replay
     * the same choices; without one they follow from {@code unseeded} (the connection's seed, itself from
     * {@code --seed} when given). The toxicity draw comes first, then the stage's own choices (jitter, corruption).
     */
    public static Random random(Toxic toxic, Direction direction, long candidateNumber, long unseeded) {
        long seed = toxic.seed() != null ? toxic.seed() * 1_000_003L + candidateNumber : unseeded;
        seed = seed * 31 + toxic.name().hashCode();
        seed = seed * 31 + direction.ordinal();
        return new Random(seed);
    }

    /** The toxicity draw: always takes one number from {@code random}, so what follows it does not depend on it. */
    public static boolean draw(Toxic toxic, Random random) {
        return random.nextDouble() < toxic.toxicity();
    }
}
