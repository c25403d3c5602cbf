package io.chaosproxy.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.Map;

/**
 * One proxy: its toxics ({@link #toxics()}), its connections and their timelines, and changes to it. The handle
 * keeps the last state the server returned ({@link #info()}); {@link #refresh()} asks again.
 */
public final class ProxyHandle {
    private volatile String packetToxicsRefusal;
    private final ChaosProxyClient client;
    private final String name;
    private volatile ProxyInfo info;

    ProxyHandle(ChaosProxyClient client, ProxyInfo info) {
        this.client = client;
        this.name = info.name();
        this.info = info;
    }

    ProxyHandle(ChaosProxyClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /**
     * Makes {@code create()} of a packet-engine toxic on this proxy fail at once with {@code reason}: for callers
     * that know packet toxics cannot act on the way their traffic reaches the proxy (Docker's port forwarding).
     */
    public ProxyHandle refusePacketToxics(String reason) {
        this.packetToxicsRefusal = reason;
        return this;
    }

    /** Why packet toxics are refused on this handle, or null. */
    public String packetToxicsRefusal() {
        return packetToxicsRefusal;
    }

    public String name() {
        return name;
    }

    public ChaosProxyClient client() {
        return client;
    }

    /** The state last seen (fetched if never seen). */
    public ProxyInfo info() {
        ProxyInfo i = info;
        return i != null ? i : refresh();
    }

    /** Asks the server for the proxy's current state. */
    public ProxyInfo refresh() {
        ProxyInfo i = client.call("GET", path(), null, ProxyInfo.class);
        info = i;
        return i;
    }

    /** The address the proxy listens on, as bound ({@code 127.0.0.1:40123}). */
    public String listen() {
        return info().listen();
    }

    public String listenHost() {
        return info().listenHost();
    }

    public int listenPort() {
        return info().listenPort();
    }

    public String upstream() {
        return info().upstream();
    }

    public boolean isEnabled() {
        return refresh().enabled();
    }

    /** The toxics of this proxy: create one of any type, list, get, update, remove. */
    public Toxics toxics() {
        return new Toxics(client, this);
    }

    /** Open connections (oldest first), then the most recently closed, each with its events. */
    public List<ConnectionInfo> connections() {
        return client.call("GET", path() + "/connections", null, new TypeReference<List<ConnectionInfo>>() { });
    }

    /**
     * Fails when a toxic of this proxy has been armed but no connection went through the proxy while it was (the
     * silent bypass; see {@link ProxyInfo#assertTrafficWhileArmed()}), on the proxy's state fetched now.
     */
    public void assertTrafficWhileArmed() {
        refresh().assertTrafficWhileArmed();
    }

    /** Marks this point of a test: {@link #connectionsSince} then gives only connections accepted after it. */
    public ConnectionMark mark() {
        return new ConnectionMark(name, connections().stream().mapToLong(ConnectionInfo::id).max().orElse(0));
    }

    /** Connections accepted after {@code mark} (as far as the server still keeps them: open ones, recent closed). */
    public List<ConnectionInfo> connectionsSince(ConnectionMark mark) {
        return connections().stream().filter(c -> c.id() > mark.lastConnectionId()).toList();
    }

    /**
     * Waits until the proxy has recorded at least {@code count} connections and returns them all; fails with the
     * connections seen so far when {@code timeout} passes first.
     */
    public List<ConnectionInfo> awaitConnections(int count, Duration timeout) {
        return awaitUntil(timeout, count + " connection(s)", list -> list.size() >= count);
    }

    /** Waits until at least {@code count} of the proxy's recorded connections are closed; returns them all. */
    public List<ConnectionInfo> awaitClosed(int count, Duration timeout) {
        return awaitUntil(timeout, count + " closed connection(s)",
                list -> list.stream().filter(ConnectionInfo::isClosed).count() >= count);
    }

    private List<ConnectionInfo> awaitUntil(Duration timeout, String what, Predicate<List<ConnectionInfo>> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ConnectionInfo> seen = connections();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder msg = new StringBuilder("proxy " + name + ": expected " + what + " within " + timeout
                        + ", saw " + seen.size());
                seen.forEach(c -> msg.append('\n').append(c.timeline()));
                throw new AssertionError(msg.toString());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Closes the listener and every open connection; new clients get "connection refused". */
    public ProxyHandle disable() {
        return update(null, null, false);
    }

    /** Listens again (on the same port). */
    public ProxyHandle enable() {
        return update(null, null, true);
    }

    public ProxyHandle setEnabled(boolean enabled) {
        return update(null, null, enabled);
    }

    /**
     * Makes the proxy read TLS handshakes on new connections (ClientHello, ServerHello, the end of the handshake,
     * alerts: timeline events and the {@code chaosproxy_tls_*} metrics) even when no TLS toxic asks for it; false
     * stops that for new connections. Bytes are forwarded unchanged either way.
     */
    public ProxyHandle setTlsAware(boolean tlsAware) {
        info = client.call("POST", path(), Map.of("tls_aware", tlsAware), ProxyInfo.class);
        return this;
    }

    /** Whether the proxy reads TLS handshakes without a TLS toxic (see {@link #setTlsAware}). */
    public boolean isTlsAware() {
        return refresh().tlsAware();
    }

    /** Moves the listener (atomic: if the new listen fails, nothing changes and a 500 is thrown). */
    public ProxyHandle setListen(String listen) {
        return update(listen, null, null);
    }

    /** Points new connections at another upstream. */
    public ProxyHandle setUpstream(String upstream) {
        return update(null, upstream, null);
    }

    /** Changes any of listen, upstream and enabled (null leaves a field as it is). */
    public ProxyHandle update(String listen, String upstream, Boolean enabled) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (listen != null) {
            body.put("listen", listen);
        }
        if (upstream != null) {
            body.put("upstream", upstream);
        }
        if (enabled != null) {
            body.put("enabled", enabled);
        }
        info = client.call("POST", path(), body, ProxyInfo.class);
        return this;
    }

    /** Deletes the proxy: its listener and connections close. */
    public void delete() {
        client.call("DELETE", path(), null, Void.class);
    }

    String path() {
        return ChaosProxyClient.proxyPath(name);
    }

    @Override
    public String toString() {
        ProxyInfo i = info;
        return i == null ? "ProxyHandle[" + name + "]"
                : "ProxyHandle[" + name + " " + i.listen() + " -> " + i.upstream() + (i.enabled() ? "" : " disabled")
                + "]";
    }
}
