package io.chaosproxy.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.Names;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.engine.ToxicRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns request JSON into engine requests; shared by the HTTP routes and the config file loader. */
public final class ProxyRequests {
    /** Where a proxy listens when a request names no address: loopback, a free port. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:0";

    private ProxyRequests() {
    }

    public static ProxySpec proxySpec(JsonNode json, String prefix) {
        JsonFields f = new JsonFields(json, prefix);
        String name = f.text("name");
        Names.check(prefix + "name", name);
        String upstream = f.text("upstream");
        if (upstream == null || upstream.isEmpty()) {
            throw new ApiException(400, "missing required field: " + prefix + "upstream");
        }
        String listen = f.text("listen");
        Boolean enabled = f.bool("enabled");
        return new ProxySpec(name,
                HostPort.parse(prefix + "listen", listen == null || listen.isEmpty() ? DEFAULT_LISTEN : listen, true),
                HostPort.parse(prefix + "upstream", upstream, false),
                enabled == null || enabled);
    }

    /**
     * A proxy's {@code tls_aware} (ours): read TLS handshakes (timeline, metrics) even without a TLS toxic; null
     * when not given.
     */
    public static Boolean tlsAware(JsonNode json, String prefix) {
        return new JsonFields(json, prefix).bool("tls_aware");
    }

    /** Every entry's {@code tls_aware} by proxy name, checked before anything is created (all or nothing). */
    public static Map<String, Boolean> tlsAwareOf(JsonNode array) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            Boolean aware = tlsAware(array.get(i), "[" + i + "].");
            if (aware != null) {
                out.put(new JsonFields(array.get(i), "[" + i + "].").text("name"), aware);
            }
        }
        return out;
    }

    /** Applies {@link #tlsAwareOf} to the proxies made from the same array. */
    public static void applyTlsAware(List<io.chaosproxy.engine.Proxy> proxies, Map<String, Boolean> tlsAware) {
        for (io.chaosproxy.engine.Proxy p : proxies) {
            Boolean aware = tlsAware.get(p.name());
            if (aware != null) {
                p.tlsAware(aware);
            }
        }
    }

    public static ToxicRequest toxicRequest(JsonNode json, String prefix) {
        JsonFields f = new JsonFields(json, prefix);
        String name = f.text("name");
        if (name != null && !name.isEmpty()) {
            Names.check(prefix + "name", name);
        }
        return new ToxicRequest(name, f.text("type"), f.text("stream"), f.number("toxicity"),
                f.map("attributes"), f.map("selector"), f.map("schedule"), f.whole("seed"));
    }

    /** A list of proxies: either a JSON array or Toxiproxy's {@code {"proxies": [...]}} wrapper. */
    public static JsonNode proxyArray(JsonNode json) {
        if (json != null && json.isObject()) {
            JsonNode inner = new JsonFields(json, "").raw("proxies");
            if (inner != null) {
                json = inner;
            }
        }
        if (json == null || !json.isArray()) {
            throw new ApiException(400, "bad request body: expected a JSON array of proxies");
        }
        return json;
    }

    /** Toxics listed under each proxy (our extension of Toxiproxy's config format), validated later by the engine. */
    public static Map<String, List<ToxicRequest>> toxicsOf(JsonNode array) {
        Map<String, List<ToxicRequest>> out = new LinkedHashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonFields f = new JsonFields(array.get(i), "[" + i + "].");
            JsonNode toxics = f.raw("toxics");
            if (toxics == null) {
                continue;
            }
            if (!toxics.isArray()) {
                throw new ApiException(400, "[" + i + "].toxics must be an array");
            }
            List<ToxicRequest> list = new ArrayList<>();
            for (int j = 0; j < toxics.size(); j++) {
                list.add(toxicRequest(toxics.get(j), "[" + i + "].toxics[" + j + "]."));
            }
            out.put(f.text("name"), list);
        }
        return out;
    }
}
