package io.chaosproxy.scenario;

import io.chaosproxy.engine.ProxyRegistry;

/**
 * Where scenarios run: the registry of a running chaos-proxy (each run creates a proxy of its own and deletes it
 * afterwards) and, optionally, a user's own client command used instead of the built-in client.
 *
 * @param clientCommand a shell command with {@code {host}} and {@code {port}} placeholders, or null
 * @param clientCommandTimeoutMillis how long the user's command may run before it is killed
 */
public record ScenarioEnvironment(ProxyRegistry registry, String clientCommand, long clientCommandTimeoutMillis) {

    public ScenarioEnvironment(ProxyRegistry registry) {
        this(registry, null, 30_000);
    }

    /** Null when packet scenarios can run here, otherwise why not. */
    public String packetUnavailableReason() {
        return registry.engine().packetFaults().unavailableReason();
    }

    /** How long the proxy's dial to an upstream may take (the engine's connect timeout). */
    public int engineConnectTimeoutMillis() {
        return registry.engine().config().connectTimeoutMillis();
    }
}
