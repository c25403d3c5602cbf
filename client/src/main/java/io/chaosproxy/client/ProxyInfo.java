package io.chaosproxy.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A proxy as the API shows it. {@code listen} is the address actually bound (a port 0 request shows the real port).
 * {@code tlsAware}: the proxy reads TLS handshakes (timeline events, TLS metrics) even without a TLS toxic.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProxyInfo(String name, String listen, String upstream, boolean enabled, List<ToxicInfo> toxics,
        @JsonProperty("tls_aware") boolean tlsAware) {
    public ProxyInfo {
        toxics = toxics == null ? List.of() : List.copyOf(toxics);
    }

    /** The host part of {@link #listen()}. */
    public String listenHost() {
        return HostPorts.host(listen);
    }

    /** The port part of {@link #listen()}. */
    public int listenPort() {
        return HostPorts.port(listen);
    }

    /**
     * Fails when one of these toxics has been armed but no connection went through the proxy while it was (the
     * silent bypass: the code under test talks straight to the upstream, so the fault proves nothing). Toxics whose
     * schedule has not started yet are not judged. Reads this snapshot only: no request to the server.
     */
    public void assertTrafficWhileArmed() {
        for (ToxicInfo t : toxics) {
            boolean everArmed = t.schedule() == null || !"pending".equals(t.schedule().state());
            if (everArmed && t.connectionsSeen() == 0) {
                throw new AssertionError("toxic '" + t.name() + "' (" + t.type() + ") on proxy '" + name
                        + "' was armed but no connection went through the proxy while it was, so it tested nothing. "
                        + "Check that the code under test connects to the proxy at " + listen + " and not "
                        + "straight to the upstream " + upstream + ": a connection string or property not "
                        + "switched, a pool opened before the proxy, or a cluster that advertises its real "
                        + "addresses after the first call.");
            }
        }
    }
}
