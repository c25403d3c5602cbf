package io.chaosproxy.scenario;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.ProxyRegistry;

/**
 * An in-process chaos-proxy that {@code scenario run} runs scenarios in. The server wiring starts it: this package
 * does not know how a chaos-proxy is put together, or scenario and server would depend on each other.
 *
 * @param stop stops the whole chaos-proxy (the registry, its engine, its API)
 */
public record ScenarioHost(ProxyRegistry registry, Runnable stop) implements AutoCloseable {

    @Override
    public void close() {
        stop.run();
    }

    /** Starts hosts; the program's root command, the parent of {@code scenario}, is the one. */
    public interface Starter {
        /** A chaos-proxy on loopback, its API on a free port. */
        ScenarioHost start(EngineConfig config, boolean packetEngine);

        /** The program's version, named in the reports. */
        String version();
    }
}
