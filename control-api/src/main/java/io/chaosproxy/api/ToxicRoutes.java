package io.chaosproxy.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.toxic.Toxic;

/** A proxy's toxics: Toxiproxy's {@code /proxies/{proxy}/toxics} and {@code /proxies/{proxy}/toxics/{toxic}}. */
final class ToxicRoutes {
    private final ProxyRegistry registry;
    private final JsonViews views;
    private final JsonBodies json;

    ToxicRoutes(ProxyRegistry registry, JsonViews views, JsonBodies json) {
        this.registry = registry;
        this.views = views;
        this.json = json;
    }

    void addTo(RouteTable table) {
        // Toxiproxy answers 404 to .../toxics/ (its router has no empty {toxic}); its clients and tests expect that.
        table.noTrailingSlash("/proxies/{proxy}/toxics")
                .answer("GET", "/proxies/{proxy}/toxics", r -> list(r.param("proxy")))
                .answer("POST", "/proxies/{proxy}/toxics", this::add)
                .answer("GET", "/proxies/{proxy}/toxics/{toxic}",
                        r -> json.json(200, views.toxic(registry.toxic(r.param("proxy"), r.param("toxic")))))
                .answer("POST", "/proxies/{proxy}/toxics/{toxic}", this::update)
                .answer("PATCH", "/proxies/{proxy}/toxics/{toxic}", this::update)
                .answer("DELETE", "/proxies/{proxy}/toxics/{toxic}", this::remove);
    }

    private ApiResponse list(String proxyName) {
        ArrayNode a = json.mapper().createArrayNode();
        for (Toxic t : JsonViews.inToxiproxyOrder(registry.toxics(proxyName))) {
            a.add(views.toxic(t));
        }
        return json.json(200, a);
    }

    private ApiResponse add(ApiRequest r) {
        String proxyName = r.param("proxy");
        registry.get(proxyName);
        ToxicRequest request = ProxyRequests.toxicRequest(json.parse(r.body()), "");
        return json.json(200, views.toxic(registry.addToxic(proxyName, request)));
    }

    private ApiResponse update(ApiRequest r) {
        String proxyName = r.param("proxy");
        String toxicName = r.param("toxic");
        registry.toxic(proxyName, toxicName);
        JsonFields f = new JsonFields(json.parse(r.body()), "");
        return json.json(200, views.toxic(registry.updateToxic(proxyName, toxicName, f.number("toxicity"),
                f.map("attributes"))));
    }

    private ApiResponse remove(ApiRequest r) {
        registry.removeToxic(r.param("proxy"), r.param("toxic"));
        return ApiResponse.noContent();
    }
}
