package io.chaosproxy.client;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One proxy: its toxics ({@link #toxics()}), its connections and their timelines, and changes to it. The handle
 * keeps the last state the server returned ({@link #info()}); {@link #refresh()} asks again.
 */
public final class ProxyHandle {
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
