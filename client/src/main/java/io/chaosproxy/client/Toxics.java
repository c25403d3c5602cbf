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

    /** {@link #latency(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Latency latency() {
        return latency(null);
    }

    /** Caps throughput at {@code rate} KB/s. */
    public ToxicBuilder.Bandwidth bandwidth(String name) {
        return new ToxicBuilder.Bandwidth(client, proxy, name);
    }

    /** {@link #bandwidth(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Bandwidth bandwidth() {
        return bandwidth(null);
    }

    /** Delays the FIN by {@code delay} ms (Toxiproxy's name; see also {@link #finDelay}). */
    public ToxicBuilder.Delay slowClose(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.SLOW_CLOSE);
    }

    /** {@link #slowClose(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay slowClose() {
        return slowClose(null);
    }

    /** Drops all data; closes after {@code timeout} ms (0: never). */
    public ToxicBuilder.Timeout timeout(String name) {
        return new ToxicBuilder.Timeout(client, proxy, name);
    }

    /** {@link #timeout(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Timeout timeout() {
        return timeout(null);
    }

    /** RST to both sides after {@code timeout} ms or {@code afterBytes} bytes. */
    public ToxicBuilder.ResetPeer resetPeer(String name) {
        return new ToxicBuilder.ResetPeer(client, proxy, name);
    }

    /** {@link #resetPeer(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.ResetPeer resetPeer() {
        return resetPeer(null);
    }

    /** Slices data into small pieces. */
    public ToxicBuilder.Slicer slicer(String name) {
        return new ToxicBuilder.Slicer(client, proxy, name);
    }

    /** {@link #slicer(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Slicer slicer() {
        return slicer(null);
    }

    /** Closes once {@code bytes} have passed. */
    public ToxicBuilder.LimitData limitData(String name) {
        return new ToxicBuilder.LimitData(client, proxy, name);
    }

    /** {@link #limitData(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.LimitData limitData() {
        return limitData(null);
    }

    /** Does nothing. */
    public ToxicBuilder.Plain noop(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.NOOP, "noop");
    }

    /** {@link #noop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Plain noop() {
        return noop(null);
    }

    // ---- connect phase (stream engine) ----

    /** Holds the accepted client silent for {@code delay} ms before dialing. */
    public ToxicBuilder.Delay acceptDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.ACCEPT_DELAY);
    }

    /** {@link #acceptDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay acceptDelay() {
        return acceptDelay(null);
    }

    /** Resets the client right after connecting, as if the upstream refused. */
    public ToxicBuilder.Plain upstreamRefuse(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.UPSTREAM_REFUSE, "upstream_refuse");
    }

    /** {@link #upstreamRefuse(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Plain upstreamRefuse() {
        return upstreamRefuse(null);
    }

    /** Never dials: silence for {@code timeout}, then rst, fin or hold. */
    public ToxicBuilder.UpstreamBlackhole upstreamBlackhole(String name) {
        return new ToxicBuilder.UpstreamBlackhole(client, proxy, name);
    }

    /** {@link #upstreamBlackhole(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.UpstreamBlackhole upstreamBlackhole() {
        return upstreamBlackhole(null);
    }

    // ---- TLS phase (stream engine; the proxy reads the handshake's plaintext, decrypts nothing) ----

    /** Holds the ClientHello {@code duration} ms (0: until removed): the client's handshake times out. */
    public ToxicBuilder.TlsHelloStall tlsHelloStall(String name) {
        return new ToxicBuilder.TlsHelloStall(client, proxy, name);
    }

    /** {@link #tlsHelloStall(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.TlsHelloStall tlsHelloStall() {
        return tlsHelloStall(null);
    }

    /** Resets both sides at a handshake step (ClientHello, ServerHello, the server's flight). */
    public ToxicBuilder.TlsResetAfter tlsResetAfter(String name) {
        return new ToxicBuilder.TlsResetAfter(client, proxy, name);
    }

    /** {@link #tlsResetAfter(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.TlsResetAfter tlsResetAfter() {
        return tlsResetAfter(null);
    }

    /** Passes only the first {@code bytes} of the server's handshake flight, then closes. */
    public ToxicBuilder.TlsCutFlight tlsCutFlight(String name) {
        return new ToxicBuilder.TlsCutFlight(client, proxy, name);
    }

    /** {@link #tlsCutFlight(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.TlsCutFlight tlsCutFlight() {
        return tlsCutFlight(null);
    }

    /** Delays each handshake record in the toxic's stream by {@code delay} ms (downstream: the server's). */
    public ToxicBuilder.Delay tlsHandshakeDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.TLS_HANDSHAKE_DELAY);
    }

    /** {@link #tlsHandshakeDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay tlsHandshakeDelay() {
        return tlsHandshakeDelay(null);
    }

    /** Closes both sides right after the handshake, before any application data. */
    public ToxicBuilder.TlsCloseAfterHandshake tlsCloseAfterHandshake(String name) {
        return new ToxicBuilder.TlsCloseAfterHandshake(client, proxy, name);
    }

    /** {@link #tlsCloseAfterHandshake(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.TlsCloseAfterHandshake tlsCloseAfterHandshake() {
        return tlsCloseAfterHandshake(null);
    }

    // ---- established phase (stream engine) ----

    /** Stops reading (zero window) for {@code duration} ms. */
    public ToxicBuilder.Stall stall(String name) {
        return new ToxicBuilder.Stall(client, proxy, name);
    }

    /** {@link #stall(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Stall stall() {
        return stall(null);
    }

    /** Flips bits the TCP checksum cannot catch. */
    public ToxicBuilder.Corrupt corrupt(String name) {
        return new ToxicBuilder.Corrupt(client, proxy, name);
    }

    /** {@link #corrupt(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Corrupt corrupt() {
        return corrupt(null);
    }

    /** Drops whole chunks (a gap, no retransmission). */
    public ToxicBuilder.PacketLoss packetLoss(String name) {
        return new ToxicBuilder.PacketLoss(client, proxy, name);
    }

    /** {@link #packetLoss(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.PacketLoss packetLoss() {
        return packetLoss(null);
    }

    // ---- teardown phase (stream engine) ----

    /** Swallows the FIN: a half-open connection. */
    public ToxicBuilder.FinDrop finDrop(String name) {
        return new ToxicBuilder.FinDrop(client, proxy, name);
    }

    /** {@link #finDrop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.FinDrop finDrop() {
        return finDrop(null);
    }

    /** Passes the FIN on {@code delay} ms late; earlier data arrives at once. */
    public ToxicBuilder.Delay finDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.FIN_DELAY);
    }

    /** {@link #finDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay finDelay() {
        return finDelay(null);
    }

    /** Turns the sender's FIN into an RST. */
    public ToxicBuilder.Plain rstOnClose(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.RST_ON_CLOSE, "rst_on_close");
    }

    /** {@link #rstOnClose(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Plain rstOnClose() {
        return rstOnClose(null);
    }

    // ---- packet engine ----

    /** Drops the client's SYN {@code count} times per attempt (0: all): the client's connect retries, then times out. */
    public ToxicBuilder.Count synDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.SYN_DROP);
    }

    /** {@link #synDrop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Count synDrop() {
        return synDrop(null);
    }

    /** Holds the proxy's SYN-ACK {@code delay} ms: a slow handshake. */
    public ToxicBuilder.Delay synackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.SYNACK_DELAY);
    }

    /** {@link #synackDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay synackDelay() {
        return synackDelay(null);
    }

    /** Drops the proxy's SYN-ACK {@code count} times per attempt. */
    public ToxicBuilder.Count synackDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.SYNACK_DROP);
    }

    /** {@link #synackDrop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Count synackDrop() {
        return synackDrop(null);
    }

    /** Drops the client's handshake-completing ACK {@code count} times. */
    public ToxicBuilder.Count ackDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.ACK_DROP);
    }

    /** {@link #ackDrop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Count ackDrop() {
        return ackDrop(null);
    }

    /** Holds the client's handshake-completing ACK {@code delay} ms. */
    public ToxicBuilder.Delay ackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.ACK_DELAY);
    }

    /** {@link #ackDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay ackDelay() {
        return ackDelay(null);
    }

    /** Answers the SYN with a reset: "connection refused", never accepted. */
    public ToxicBuilder.Plain refuse(String name) {
        return new ToxicBuilder.Plain(client, proxy, name, ToxicType.REFUSE, "refuse");
    }

    /** {@link #refuse(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Plain refuse() {
        return refuse(null);
    }

    /** Drops FIN segments {@code count} times (the kernel retransmits them). */
    public ToxicBuilder.Count finDropPacket(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.FIN_DROP_PACKET);
    }

    /** {@link #finDropPacket(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Count finDropPacket() {
        return finDropPacket(null);
    }

    /** Drops the proxy's SYN to the upstream {@code count} times per dial. */
    public ToxicBuilder.Count upstreamSynDrop(String name) {
        return new ToxicBuilder.Count(client, proxy, name, ToxicType.UPSTREAM_SYN_DROP);
    }

    /** {@link #upstreamSynDrop(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Count upstreamSynDrop() {
        return upstreamSynDrop(null);
    }

    /** Holds the upstream's SYN-ACK {@code delay} ms: a slow dial. */
    public ToxicBuilder.Delay upstreamSynackDelay(String name) {
        return new ToxicBuilder.Delay(client, proxy, name, ToxicType.UPSTREAM_SYNACK_DELAY);
    }

    /** {@link #upstreamSynackDelay(String)} with the server's default name, {@code <type>_<stream>}. */
    public ToxicBuilder.Delay upstreamSynackDelay() {
        return upstreamSynackDelay(null);
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
