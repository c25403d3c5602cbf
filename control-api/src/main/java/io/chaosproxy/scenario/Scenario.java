package io.chaosproxy.scenario;

/**
 * One named fault at one stage of a connection's life, run on real sockets: a small client and server of our own
 * (plain JDK sockets, explicit timeouts) talk through an in-process chaos-proxy proxy with one toxic, and the run
 * records what each side saw.
 */
public interface Scenario {
    /** A short, stable name, e.g. {@code syn-lost-twice}. */
    String name();

    Stage stage();

    /** The fault in a few words, naming the toxic and its attributes. */
    String fault();

    /** True when the fault is a packet toxic (NFQUEUE: Linux, CAP_NET_ADMIN, iptables). */
    boolean needsPacketEngine();

    /** What the scenario states will happen, in one sentence; {@link ScenarioRecord#checks()} say whether it did. */
    String expected();

    /** A paragraph a student who just learned the 3-way handshake can follow. */
    String explanation();

    /** Runs it once; never throws: a setup failure is a record with status {@code error}. */
    ScenarioRecord run(ScenarioEnvironment environment);
}
