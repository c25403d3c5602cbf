package io.chaosproxy.engine;

import io.chaosproxy.toxic.Toxic;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The packet engine as the rest of the engine sees it: it is told, on every change, which packet-level toxics a
 * proxy has, and installs or removes that proxy's netfilter rules and verdict logic accordingly.
 */
public interface PacketFaults extends AutoCloseable {
    /** Null when packet toxics work here; otherwise exactly why not (no CAP_NET_ADMIN, no iptables, ...). */
    String unavailableReason();

    /**
     * The packet toxics of a proxy are now {@code packetToxics} (armed ones only; empty when the proxy was deleted,
     * disabled or reset). {@code listen} is the bound address (null when not listening). Called on the control
     * thread, serialized; may run iptables but must not block for long.
     */
    void apply(String proxyName, InetSocketAddress listen, HostPort upstream, List<Toxic> packetToxics);

    /** Removes every rule this engine installed. */
    @Override
    void close();

    /** For machines where the packet engine cannot run. */
    static PacketFaults unavailable(String reason) {
        return new PacketFaults() {
            @Override
            public String unavailableReason() {
                return reason;
            }

            @Override
            public void apply(String proxyName, InetSocketAddress listen, HostPort upstream, List<Toxic> toxics) {
            }

            @Override
            public void close() {
            }
        };
    }
}
