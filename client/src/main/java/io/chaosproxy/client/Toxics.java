package io.chaosproxy.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;

/**
 * The toxics of one proxy. Each method below starts a toxic of one type; chain its attributes and the common
 * options, then {@code create()}. A {@code name} may be null for the server's default, {@code <type>_<stream>}.
 *
 * <p>By phase:
 * <ul>
 * <li>connect: {@link #acceptDelay}, {@link #upstreamRefuse}, {@link #upstreamBlackhole}; packet engine:
 *     {@link #synDrop}, {@link #synackDelay}, {@link #synackDrop}, {@link #ackDrop}, {@link #ackDelay},
 *     {@link #refuse}, {@link #upstreamSynDrop}, {@link #upstreamSynackDelay}</li>
 * <li>established: {@link #latency}, {@link #bandwidth}, {@link #timeout}, {@link #resetPeer}, {@link #slicer},
 *     {@link #limitData}, {@link #noop}, {@link #stall}, {@link #corrupt}, {@link #packetLoss}</li>
 * <li>teardown: {@link #slowClose}, {@link #finDrop}, {@link #finDelay}, {@link #rstOnClose}; packet engine:
 *     {@link #finDropPacket}</li>
 * </ul>
 * Packet-engine types need Linux, CAP_NET_ADMIN and iptables on the server's side; elsewhere {@code create()}
 * throws {@link ChaosProxyException} with status 422 and the reason (see {@link ChaosProxyClient#capabilities()}).
 */
public final class Toxics {
    private final ChaosProxyClient client;
    private final ProxyHandle proxy;

    Toxics(ChaosProxyClient client, ProxyHandle proxy) {
        this.client = client;
        this.proxy = proxy;
    }

    // ---- Toxiproxy's set ----

    /** Delays every chunk by {@code latency ± jitter} ms. */
    public ToxicBuilder.Latency latency(String name) {
        return new ToxicBuilder.Latency(client, proxy, name);
    }

    /** Caps throughput at {@code rate} KB/s. */
    public ToxicBuilder.Bandwidth bandwidth(String name) {
        return new ToxicBuilder.Bandwidth(client, proxy, name);
    }

    /** Delays the FIN by {@code delay} ms (Toxiproxy's name; see also {@link #finDelay}). */
    public ToxicBuilder.Delay slowClose(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.SLOW_CLOSE);
    }

    /** Drops all data; closes after {@code timeout} ms (0: never). */
    public ToxicBuilder.Timeout timeout(String name) {
        return new ToxicBuilder.Timeout(client, proxy, name);
    }

    /** RST to both sides after {@code timeout} ms or {@code afterBytes} bytes. */
    public ToxicBuilder.ResetPeer resetPeer(String name) {
        return new ToxicBuilder.ResetPeer(client, proxy, name);
    }

    /** Slices data into small pieces. */
    public ToxicBuilder.Slicer slicer(String name) {
        return new ToxicBuilder.Slicer(client, proxy, name);
    }

    /** Closes once {@code bytes} have passed. */
    public ToxicBuilder.LimitData limitData(String name) {
        return new ToxicBuilder.LimitData(client, proxy, name);
    }

    /** Does nothing. */
    public ToxicBuilder.Plain noop(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.NOOP, "noop");
    }

    // ---- connect phase (stream engine) ----

    /** Holds the accepted client silent for {@code delay} ms before dialing. */
    public ToxicBuilder.Delay acceptDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.ACCEPT_DELAY);
    }

    /** Resets the client right after connecting, as if the upstream refused. */
    public ToxicBuilder.Plain upstreamRefuse(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.UPSTREAM_REFUSE, "upstream_refuse");
    }

    /** Never dials: silence for {@code timeout}, then rst, fin or hold. */
    public ToxicBuilder.UpstreamBlackhole upstreamBlackhole(String name) {
        return new ToxicBuilder.UpstreamBlackhole(client, proxy, name);
    }

    // ---- established phase (stream engine) ----

    /** Stops reading (zero window) for {@code duration} ms. */
    public ToxicBuilder.Stall stall(String name) {
        return new ToxicBuilder.Stall(client, proxy, name);
    }

    /** Flips bits the TCP checksum cannot catch. */
    public ToxicBuilder.Corrupt corrupt(String name) {
        return new ToxicBuilder.Corrupt(client, proxy, name);
    }

    /** Drops whole chunks (a gap, no retransmission). */
    public ToxicBuilder.PacketLoss packetLoss(String name) {
        return new ToxicBuilder.PacketLoss(client, proxy, name);
    }

    // ---- teardown phase (stream engine) ----

    /** Swallows the FIN: a half-open connection. */
    public ToxicBuilder.FinDrop finDrop(String name) {
        return new ToxicBuilder.FinDrop(client, proxy, name);
    }

    /** Passes the FIN on {@code delay} ms late; earlier data arrives at once. */
    public ToxicBuilder.Delay finDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.FIN_DELAY);
    }

    /** Turns the sender's FIN into an RST. */
    public ToxicBuilder.Plain rstOnClose(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.RST_ON_CLOSE, "rst_on_close");
    }

    // ---- packet engine ----

    /** Drops the client's SYN {@code count} times per attempt (0: all): the client's connect retries, then times out. */
    public ToxicBuilder.Count synDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.SYN_DROP);
    }

    /** Holds the proxy's SYN-ACK {@code delay} ms: a slow handshake. */
    public ToxicBuilder.Delay synackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.SYNACK_DELAY);
    }

    /** Drops the proxy's SYN-ACK {@code count} times per attempt. */
    public ToxicBuilder.Count synackDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.SYNACK_DROP);
    }

    /** Drops the client's handshake-completing ACK {@code count} times. */
    public ToxicBuilder.Count ackDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.ACK_DROP);
    }

    /** Holds the client's handshake-completing ACK {@code delay} ms. */
    public ToxicBuilder.Delay ackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.ACK_DELAY);
    }

    /** Answers the SYN with a reset: "connection refused", never accepted. */
    public ToxicBuilder.Plain refuse(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.REFUSE, "refuse");
    }

    /** Drops FIN segments {@code count} times (the kernel retransmits them). */
    public ToxicBuilder.Count finDropPacket(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.FIN_DROP_PACKET);
    }

    /** Drops the proxy's SYN to the upstream {@code count} times per dial. */
    public ToxicBuilder.Count upstreamSynDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.UPSTREAM_SYN_DROP);
    }

    /** Holds the upstream's SYN-ACK {@code delay} ms: a slow dial. */
    public ToxicBuilder.Delay upstreamSynackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.UPSTREAM_SYNACK_DELAY);
    }

    // ---- any type ----

    /** A toxic of any type by its API name, attributes set with {@code attribute(name, value)}. */
    public ToxicBuilder.Plain ofType(String name, String apiTypeName) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.fromApiName(apiTypeName), apiTypeName);
    }

    public ToxicBuilder.Plain ofType(String name, ToxicType type) {
        return ofType(name, type.apiName());
    }

    // ---- existing toxics ----

    public List<ToxicInfo> list() {
        return client.call("GET", proxy.path() + "/toxics", null, new TypeReference<List<ToxicInfo>>() { });
    }

    /** The toxic with this name; 404 as {@link ChaosProxyException} if there is none. */
    public ToxicHandle get(String name) {
        ToxicInfo info = client.call("GET", proxy.path() + "/toxics/" + ChaosProxyClient.encode(name), null,
                ToxicInfo.class);
        return new ToxicHandle(client, proxy, info);
    }

    public boolean exists(String name) {
        return list().stream().anyMatch(t -> t.name().equals(name));
    }

    /** Removes one toxic (404 if there is none). */
    public void remove(String name) {
        client.call("DELETE", proxy.path() + "/toxics/" + ChaosProxyClient.encode(name), null, Void.class);
    }

    /** Removes every toxic of this proxy (only this one; {@link ChaosProxyClient#reset()} does all). */
    public void removeAll() {
        for (ToxicInfo t : list()) {
            try {
                remove(t.name());
            } catch (ChaosProxyException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
    }
}
