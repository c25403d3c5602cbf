package io.chaosproxy.toxic;

import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.SegmentRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The packet engine as the rest of the program sees it (the port between the stream engine and the API on one side
 * and the NFQUEUE engine on the other): it is told, on every change, which packet-level toxics a proxy has, installs
 * or removes that proxy's netfilter rules and verdict logic accordingly, and keeps the segments it saw. Nobody needs
 * to know which class is behind it.
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

    /**
     * The SO_MARK the stream engine puts on every socket it dials (0: none), so server-leg packet rules act on this
     * process's own connections to an upstream and never on another process's.
     */
    default int socketMark() {
        return 0;
    }

    /** Whether packet toxics work here (then {@link #unavailableReason()} is null). */
    default boolean available() {
        return unavailableReason() == null;
    }

    /** The last segments seen for a proxy (oldest first); empty when it never had packet toxics. */
    List<SegmentRecord> segments(String proxyName);

    /**
     * The segments of one connection: on the client leg those to or from the client's port, on the server leg
     * those to or from the proxy's own port towards the upstream.
     */
    List<SegmentRecord> segments(String proxyName, int clientPort, int serverLocalPort);

    /** Writes a proxy's segment log as a pcap file (LINKTYPE_RAW, headers only). */
    void writePcap(String proxyName, OutputStream out) throws IOException;

    /** Forgets a deleted proxy's segment log. */
    void forget(String proxyName);

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
            public List<SegmentRecord> segments(String proxyName) {
                return List.of();
            }

            @Override
            public List<SegmentRecord> segments(String proxyName, int clientPort, int serverLocalPort) {
                return List.of();
            }

            @Override
            public void writePcap(String proxyName, OutputStream out) {
                throw new IllegalStateException("the packet engine is unavailable here: " + reason);
            }

            @Override
            public void forget(String proxyName) {
            }

            @Override
            public void close() {
            }
        };
    }
}
