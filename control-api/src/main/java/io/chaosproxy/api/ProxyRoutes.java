package io.chaosproxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.toxic.PacketFaults;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies: Toxiproxy's {@code /proxies}, {@code /proxies/{proxy}}, {@code /populate} and {@code /reset}, plus
 * our connection timeline and pcap capture. Status codes follow Toxiproxy 2.12 so its clients work unchanged.
 */
final class ProxyRoutes {
    private final ProxyRegistry registry;
    private final JsonViews views;
    private final JsonBodies json;
    private final ProxyAddressPolicy addresses;

    ProxyRoutes(ProxyRegistry registry, JsonViews views, JsonBodies json, ProxyAddressPolicy addresses) {
        this.registry = registry;
        this.views = views;
        this.json = json;
        this.addresses = addresses;
    }

    void addTo(RouteTable table) {
        table.answer("GET", "/proxies", r -> list())
                .answer("POST", "/proxies", this::create)
                .answer("POST", "/populate", r -> populate(r.body()))
                .answer("POST", "/reset", r -> reset())
                .answer("GET", "/proxies/{proxy}", r -> json.json(200, views.proxy(registry.get(r.param("proxy")))))
                .answer("POST", "/proxies/{proxy}", this::update)
                .answer("PATCH", "/proxies/{proxy}", this::update)
                .answer("DELETE", "/proxies/{proxy}", this::delete)
                .answer("GET", "/proxies/{proxy}/connections", r -> connections(r.param("proxy")))
                .answer("GET", "/proxies/{proxy}/capture.pcap", r -> capture(registry.get(r.param("proxy")).name()));
    }

    private ApiResponse list() {
        ObjectNode all = json.mapper().createObjectNode();
        for (Proxy p : registry.all()) {
            all.set(p.name(), views.proxy(p));
        }
        return json.json(200, all);
    }

    private ApiResponse create(ApiRequest r) {
        JsonNode body = json.parse(r.body());
        ProxySpec spec = ProxyRequests.proxySpec(body, "");
        Boolean tlsAware = ProxyRequests.tlsAware(body, "");
        addresses.check("", spec.listen(), spec.upstream());
        Proxy proxy = registry.create(spec);
        if (tlsAware != null) {
            proxy.tlsAware(tlsAware);
        }
        ApiResponse created = json.json(201, views.proxy(proxy));
        addresses.warnIfExposed(spec.name(), spec.listen());
        return created;
    }

    private ApiResponse reset() {
        registry.reset();
        return ApiResponse.noContent();
    }

    private ApiResponse update(ApiRequest r) {
        String proxyName = r.param("proxy");
        registry.get(proxyName);
        JsonNode body = json.parse(r.body());
        JsonFields f = new JsonFields(body, "");
        String listen = f.text("listen");
        String upstream = f.text("upstream");
        Boolean enabled = f.bool("enabled");
        Boolean tlsAware = ProxyRequests.tlsAware(body, "");
        HostPort listenAddr = listen == null || listen.isEmpty() ? null : HostPort.parse("listen", listen, true);
        HostPort upstreamAddr = upstream == null || upstream.isEmpty() ? null
                : HostPort.parse("upstream", upstream, false);
        addresses.check("", listenAddr, upstreamAddr);
        Proxy proxy = registry.update(proxyName, listenAddr, upstreamAddr, enabled);
        if (tlsAware != null) {
            proxy.tlsAware(tlsAware);
        }
        ApiResponse updated = json.json(200, views.proxy(proxy));
        addresses.warnIfExposed(proxyName, listenAddr);
        return updated;
    }

    private ApiResponse delete(ApiRequest r) {
        registry.delete(r.param("proxy"));
        return ApiResponse.noContent();
    }

    private ApiResponse connections(String proxyName) {
        ArrayNode a = json.mapper().createArrayNode();
        PacketFaults packets = registry.engine().packetFaults();
        for (ConnectionSummary c : registry.get(proxyName).connectionSummaries()) {
            ObjectNode n = views.connection(c);
            if (packets.available()) {
                // The queued segments of this connection (handshake and teardown), beside its events.
                ArrayNode segs = n.putArray("segments");
                packets.segments(proxyName, c.clientPort(), c.serverLocalPort())
                        .forEach(s -> segs.add(views.segment(s, c.startEpochMillis())));
            }
            a.add(n);
        }
        return json.json(200, a);
    }

    /** The segments the packet engine queued for a proxy, as a pcap file Wireshark opens. */
    private ApiResponse capture(String proxyName) {
        PacketFaults packets = registry.engine().packetFaults();
        if (!packets.available()) {
            throw new ApiException(422, "no capture: the packet engine is unavailable here: "
                    + packets.unavailableReason());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            packets.writePcap(proxyName, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new ApiResponse(200, "application/vnd.tcpdump.pcap", out.toByteArray());
    }

    private ApiResponse populate(byte[] body) {
        JsonNode array = ProxyRequests.proxyArray(json.parse(body));
        List<ProxySpec> specs = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            ProxySpec spec = ProxyRequests.proxySpec(array.get(i), "[" + i + "].");
            addresses.check("[" + i + "].", spec.listen(), spec.upstream());
            specs.add(spec);
        }
        java.util.Map<String, Boolean> tlsAware = ProxyRequests.tlsAwareOf(array);
        List<Proxy> proxies = registry.populate(specs, ProxyRequests.toxicsOf(array));
        ProxyRequests.applyTlsAware(proxies, tlsAware);
        specs.forEach(s -> addresses.warnIfExposed(s.name(), s.listen()));
        ObjectNode n = json.mapper().createObjectNode();
        ArrayNode a = n.putArray("proxies");
        proxies.forEach(p -> a.add(views.proxy(p)));
        return json.json(201, n);
    }
}
