package io.chaosproxy.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A typed client for chaos-proxy's control API (and, for the Toxiproxy-compatible part, any Toxiproxy 2.12 server).
 *
 * <pre>{@code
 * ChaosProxyClient client = ChaosProxyClient.connect("127.0.0.1", 8474);
 * ProxyHandle pg = client.createProxy("pg", "127.0.0.1:0", "127.0.0.1:5432");
 * pg.toxics().latency("slow").downstream().latency(200).jitter(20).create();
 * pg.toxics().resetPeer("cut").downstream().afterBytes(1024).create();
 * pg.toxics().synDrop("no-syn").count(2).create();                  // packet engine
 * pg.toxics().finDrop("half-open").thenMs(1000).then(FinThen.RST).create();
 * client.reset();                                                   // every toxic gone, every proxy enabled
 * }</pre>
 *
 * Every failed call throws {@link ChaosProxyException} with the HTTP status and the server's message. Thread-safe.
 */
public final class ChaosProxyClient {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    /** Sent as {@code Authorization: Bearer ...} when set; never printed. */
    private final String apiToken;
    final ObjectMapper mapper;

    private ChaosProxyClient(URI base, Duration timeout, String apiToken) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.timeout = timeout;
        this.apiToken = apiToken;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
        this.mapper = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        this.mapper.registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                .addDeserializer(java.time.Instant.class, new InstantDeserializer()));
    }

    /** A client for the control API at {@code http://host:port}. Nothing is sent until the first call. */
    public static ChaosProxyClient connect(String host, int port) {
        return connect(URI.create("http://" + HostPorts.join(host, port)));
    }

    /** A client for the control API at this base URI, e.g. {@code http://127.0.0.1:8474}. */
    public static ChaosProxyClient connect(URI baseUri) {
        return new ChaosProxyClient(baseUri, DEFAULT_TIMEOUT, null);
    }

    /** The same server, with another timeout for each call (default 30 s). */
    public ChaosProxyClient withTimeout(Duration callTimeout) {
        return new ChaosProxyClient(base, callTimeout, apiToken);
    }

    /**
     * The same server, with the API token it requires ({@code --api-token} or {@code CHAOS_PROXY_API_TOKEN}), sent
     * as {@code Authorization: Bearer TOKEN} on every call; null for none.
     */
    public ChaosProxyClient withApiToken(String token) {
        if (token != null && (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("an API token is printable ASCII without spaces");
        }
        return new ChaosProxyClient(base, timeout, token);
    }

    public URI baseUri() {
        return base;
    }

    // ---- proxies ----

    /** Creates a proxy; {@code listen} may use port 0 (the bound port is in {@link ProxyHandle#listenPort()}). */
    public ProxyHandle createProxy(String name, String listen, String upstream) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        if (listen != null) {
            body.put("listen", listen);
        }
        body.put("upstream", upstream);
        body.put("enabled", true);
        ProxyInfo info = call("POST", "/proxies", body, ProxyInfo.class);
        return new ProxyHandle(this, info);
    }

    /** Creates a proxy listening on {@code 127.0.0.1} on a free port. */
    public ProxyHandle createProxy(String name, String upstream) {
        return createProxy(name, null, upstream);
    }

    /** Creates a proxy, disabled if {@code config} says so. */
    public ProxyHandle createProxy(ProxyConfig config) {
        ProxyInfo info = call("POST", "/proxies", config.toJson(), ProxyInfo.class);
        return new ProxyHandle(this, info);
    }

    /**
     * Creates or keeps every proxy in one atomic call (all are validated first); a proxy with the same name,
     * listen and upstream is kept untouched with its toxics.
     */
    public List<ProxyHandle> populate(List<ProxyConfig> proxies) {
        List<Map<String, Object>> body = new ArrayList<>();
        proxies.forEach(p -> body.add(p.toJson()));
        JsonNode answer = call("POST", "/populate", body, JsonNode.class);
        List<ProxyHandle> out = new ArrayList<>();
        for (JsonNode p : answer.path("proxies")) {
            out.add(new ProxyHandle(this, mapper.convertValue(p, ProxyInfo.class)));
        }
        return out;
    }

    /** Every proxy, keyed by name. */
    public Map<String, ProxyInfo> proxies() {
        return call("GET", "/proxies", null, new TypeReference<Map<String, ProxyInfo>>() { });
    }

    /** The proxy with this name; throws {@link ChaosProxyException} (404) if there is none. */
    public ProxyHandle proxy(String name) {
        return new ProxyHandle(this, call("GET", proxyPath(name), null, ProxyInfo.class));
    }

    /** A handle on a proxy by name without asking the server (it may not exist: calls on it then answer 404). */
    public ProxyHandle proxyHandle(String name) {
        return new ProxyHandle(this, name);
    }

    /** Whether a proxy with this name exists. */
    public boolean hasProxy(String name) {
        try {
            call("GET", proxyPath(name), null, ProxyInfo.class);
            return true;
        } catch (ChaosProxyException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes a proxy (404 if there is none). */
    public void deleteProxy(String name) {
        call("DELETE", proxyPath(name), null, Void.class);
    }

    // ---- server ----

    /** Removes every toxic and enables every proxy; proxies are kept. */
    public void reset() {
        call("POST", "/reset", null, Void.class);
    }

    public String version() {
        return call("GET", "/version", null, JsonNode.class).path("version").asText();
    }

    /** Which engines and toxic types work on the server's machine. */
    public Capabilities capabilities() {
        return call("GET", "/capabilities", null, Capabilities.class);
    }

    /** Every toxic type the server knows, with its phase, engine and attribute schema. */
    public List<ToxicTypeInfo> toxicTypes() {
        return call("GET", "/toxic-types", null, new TypeReference<List<ToxicTypeInfo>>() { });
    }

    /** The Prometheus text of {@code GET /metrics}. */
    public String metricsText() {
        return callRaw("GET", "/metrics", null);
    }

    // ---- plumbing ----

    static String proxyPath(String name) {
        return "/proxies/" + encode(name);
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    <T> T call(String method, String path, Object body, Class<T> type) {
        return call(method, path, body, mapper.getTypeFactory().constructType(type));
    }

    <T> T call(String method, String path, Object body, TypeReference<T> type) {
        return call(method, path, body, mapper.getTypeFactory().constructType(type));
    }

    private <T> T call(String method, String path, Object body, JavaType type) {
        String text = callRaw(method, path, body);
        if (type.getRawClass() == Void.class || text.isEmpty()) {
            return null;
        }
        try {
            return mapper.readValue(text, type);
        } catch (IOException e) {
            throw new ChaosProxyException(0, "unreadable answer: " + e.getMessage(), method, path, e);
        }
    }

    private String callRaw(String method, String path, Object body) {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write request body: " + e.getMessage(), e);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .method(method, publisher);
        if (apiToken != null) {
            request.header("Authorization", "Bearer " + apiToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ChaosProxyException(0, String.valueOf(e.getMessage() == null ? e : e.getMessage()),
                    method, path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChaosProxyException(0, "interrupted", method, path, e);
        }
        int status = response.statusCode();
        String text = response.body() == null ? "" : response.body();
        if (status >= 200 && status < 300) {
            return text;
        }
        throw new ChaosProxyException(status, errorMessage(text), method, path, null);
    }

    private String errorMessage(String text) {
        try {
            JsonNode n = mapper.readTree(text);
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException notJson) {
            // fall through: the raw text is the best message there is
        }
        return text.isBlank() ? "(no message)" : text.strip();
    }

    @Override
    public String toString() {
        return "ChaosProxyClient[" + base + "]";
    }

    /** ISO-8601 instants without needing jackson-datatype-jsr310. */
    private static final class InstantDeserializer
            extends com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer<java.time.Instant> {
        private static final long serialVersionUID = 1L;

        InstantDeserializer() {
            super(java.time.Instant.class);
        }

        @Override
        public java.time.Instant deserialize(com.fasterxml.jackson.core.JsonParser p,
                                             com.fasterxml.jackson.databind.DeserializationContext ctx)
                throws IOException {
            String s = p.getValueAsString();
            return s == null || s.isEmpty() ? null : java.time.Instant.parse(s);
        }
    }
}
