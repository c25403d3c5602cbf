package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.HostPort;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.PacketFaults;
import io.chaosproxy.engine.ProxyException;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.packet.PacketEngine;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicType;
import io.chaosproxy.toxic.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The control API's routes, free of Netty: a method, a path and a body in, an {@link ApiResponse} out. Paths and
 * status codes follow Toxiproxy 2.12 so its clients work unchanged. Calls must be serialized by the caller.
 */
public final class Routes {
    private final ProxyRegistry registry;
    private final ObjectMapper mapper;
    private final JsonViews views;
    private final String version;
    private final Supplier<String> metricsText;
    private final io.chaosproxy.scenario.ScenarioRoutes scenarios;

    public Routes(ProxyRegistry registry, ObjectMapper mapper, String version, Supplier<String> metricsText) {
        this.registry = registry;
        this.mapper = mapper;
        this.views = new JsonViews(mapper);
        this.version = version;
        this.metricsText = metricsText;
        this.scenarios = new io.chaosproxy.scenario.ScenarioRoutes(registry);
    }

    public ApiResponse handle(String method, String rawPath, byte[] body) {
        try {
            return route(method, rawPath, body);
        } catch (ApiException e) {
            return error(e.status(), e.getMessage());
        } catch (ValidationException e) {
            return error(400, e.getMessage());
        } catch (ProxyException e) {
            return error(statusOf(e.kind()), e.getMessage());
        } catch (RuntimeException e) {
            // Never a stack trace to the client; the operator's log gets it.
            System.err.println("chaos-proxy: internal error on " + method + " " + rawPath + ": " + e);
            e.printStackTrace();
            return error(500, "internal error: " + e.getClass().getSimpleName());
        }
    }

    private ApiResponse route(String method, String rawPath, byte[] body) {
        String path = stripQuery(rawPath);
        List<String> parts = segments(path);
        boolean get = method.equals("GET");
        boolean post = method.equals("POST");
        boolean change = post || method.equals("PATCH");
        boolean delete = method.equals("DELETE");
        if (!parts.isEmpty() && parts.get(0).equals("scenarios")) {
            return scenarios.handle(method, parts);
        }

        if (parts.size() == 1) {
            switch (parts.get(0)) {
                case "version":
                    if (get) {
                        ObjectNode n = mapper.createObjectNode();
                        n.put("version", version);
                        return json(200, n);
                    }
                    break;
                case "reset":
                    if (post) {
                        registry.reset();
                        return ApiResponse.noContent();
                    }
                    break;
                case "populate":
                    if (post) {
                        return populate(body);
                    }
                    break;
                case "metrics":
                    if (get) {
                        return new ApiResponse(200, "text/plain; version=0.0.4; charset=utf-8",
                                metricsText.get().getBytes(StandardCharsets.UTF_8));
                    }
                    break;
                case "capabilities":
                    if (get) {
                        return json(200, capabilities());
                    }
                    break;
                case "toxic-types":
                    if (get) {
                        ArrayNode a = mapper.createArrayNode();
                        for (ToxicType t : registry.engine().toxicTypes().all()) {
                            a.add(views.toxicType(t));
                        }
                        return json(200, a);
                    }
                    break;
                case "proxies":
                    if (get) {
                        ObjectNode all = mapper.createObjectNode();
                        for (Proxy p : registry.all()) {
                            all.set(p.name(), views.proxy(p));
                        }
                        return json(200, all);
                    }
                    if (post) {
                        ProxySpec spec = ProxyRequests.proxySpec(parse(body), "");
                        return json(201, views.proxy(registry.create(spec)));
                    }
                    break;
                default:
                    return error(404, "not found: " + path);
            }
            return methodNotAllowed(method, path);
        }
        if (parts.isEmpty() || !parts.get(0).equals("proxies") || parts.size() > 4) {
            return error(404, "not found: " + path);
        }
        String proxyName = parts.get(1);
        if (parts.size() == 2) {
            if (get) {
                return json(200, views.proxy(registry.get(proxyName)));
            }
            if (change) {
                registry.get(proxyName);
                JsonFields f = new JsonFields(parse(body), "");
                String listen = f.text("listen");
                String upstream = f.text("upstream");
                Boolean enabled = f.bool("enabled");
                HostPort listenAddr = listen == null || listen.isEmpty() ? null
                        : HostPort.parse("listen", listen, true);
                HostPort upstreamAddr = upstream == null || upstream.isEmpty() ? null
                        : HostPort.parse("upstream", upstream, false);
                return json(200, views.proxy(registry.update(proxyName, listenAddr, upstreamAddr, enabled)));
            }
            if (delete) {
                registry.delete(proxyName);
                return ApiResponse.noContent();
            }
            return methodNotAllowed(method, path);
        }
        if (parts.size() == 3 && parts.get(2).equals("capture.pcap")) {
            if (get) {
                return capture(registry.get(proxyName).name());
            }
            return methodNotAllowed(method, path);
        }
        if (parts.size() == 3 && parts.get(2).equals("connections")) {
            if (get) {
                ArrayNode a = mapper.createArrayNode();
                PacketEngine packets = packetEngine();
                for (ConnectionSummary c : registry.get(proxyName).connectionSummaries()) {
                    ObjectNode n = views.connection(c);
                    if (packets != null) {
                        // The queued segments of this connection (handshake and teardown), beside its events.
                        ArrayNode segs = n.putArray("segments");
                        packets.segments(proxyName, c.clientPort(), c.serverLocalPort())
                                .forEach(r -> segs.add(views.segment(r, c.startEpochMillis())));
                    }
                    a.add(n);
                }
                return json(200, a);
            }
            return methodNotAllowed(method, path);
        }
        if (!parts.get(2).equals("toxics")) {
            return error(404, "not found: " + path);
        }
        if (parts.size() == 3) {
            if (get) {
                ArrayNode a = mapper.createArrayNode();
                for (Toxic t : registry.toxics(proxyName)) {
                    a.add(views.toxic(t));
                }
                return json(200, a);
            }
            if (post) {
                registry.get(proxyName);
                ToxicRequest request = ProxyRequests.toxicRequest(parse(body), "");
                return json(200, views.toxic(registry.addToxic(proxyName, request)));
            }
            return methodNotAllowed(method, path);
        }
        String toxicName = parts.get(3);
        if (get) {
            return json(200, views.toxic(registry.toxic(proxyName, toxicName)));
        }
        if (change) {
            registry.toxic(proxyName, toxicName);
            JsonFields f = new JsonFields(parse(body), "");
            return json(200, views.toxic(registry.updateToxic(proxyName, toxicName, f.number("toxicity"),
                    f.map("attributes"))));
        }
        if (delete) {
            registry.removeToxic(proxyName, toxicName);
            return ApiResponse.noContent();
        }
        return methodNotAllowed(method, path);
    }

    /** The segments the packet engine queued for a proxy, as a pcap file Wireshark opens. */
    private ApiResponse capture(String proxyName) {
        PacketEngine packets = packetEngine();
        if (packets == null) {
            throw new ApiException(422, "no capture: the packet engine is unavailable here: "
                    + registry.engine().packetFaults().unavailableReason());
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            packets.writePcap(proxyName, out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new ApiResponse(200, "application/vnd.tcpdump.pcap", out.toByteArray());
    }

    /** The running packet engine, or null where it is unavailable. */
    private PacketEngine packetEngine() {
        PacketFaults faults = registry.engine().packetFaults();
        return faults instanceof PacketEngine ? (PacketEngine) faults : null;
    }

    /** What works on this machine: the stream engine always, the packet engine only with its prerequisites. */
    private ObjectNode capabilities() {
        ObjectNode n = mapper.createObjectNode();
        n.put("transport", registry.engine().transport().name());
        String why = registry.engine().packetFaults().unavailableReason();
        ObjectNode engines = n.putObject("engines");
        engines.putObject("stream").put("available", true);
        ObjectNode packet = engines.putObject("packet");
        packet.put("available", why == null);
        if (why != null) {
            packet.put("reason", why);
        }
        ArrayNode types = n.putArray("toxics");
        for (ToxicType t : registry.engine().toxicTypes().all()) {
            boolean isPacket = t.engine() == io.chaosproxy.toxic.ToxicEngine.PACKET;
            ObjectNode entry = types.addObject();
            entry.put("type", t.name());
            entry.put("phase", t.phase().jsonName());
            entry.put("engine", t.engine().jsonName());
            entry.put("available", !isPacket || why == null);
            if (isPacket && why != null) {
                entry.put("reason", why);
            }
        }
        return n;
    }

    private ApiResponse populate(byte[] body) {
        JsonNode array = ProxyRequests.proxyArray(parse(body));
        List<ProxySpec> specs = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            specs.add(ProxyRequests.proxySpec(array.get(i), "[" + i + "]."));
        }
        List<Proxy> proxies = registry.populate(specs, ProxyRequests.toxicsOf(array));
        ObjectNode n = mapper.createObjectNode();
        ArrayNode a = n.putArray("proxies");
        proxies.forEach(p -> a.add(views.proxy(p)));
        return json(201, n);
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ApiException(400, "bad request body: empty");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "bad request body: empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "bad request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "bad request body: " + e.getMessage());
        }
    }

    private ApiResponse json(int status, JsonNode node) {
        try {
            return new ApiResponse(status, ApiResponse.JSON, mapper.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ApiResponse error(int status, String message) {
        ObjectNode n = mapper.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        return json(status, n);
    }

    private ApiResponse methodNotAllowed(String method, String path) {
        return error(405, "method " + method + " not allowed on " + path);
    }

    private static int statusOf(ProxyException.Kind kind) {
        switch (kind) {
            case NOT_FOUND:
                return 404;
            case CONFLICT:
                return 409;
            case UNAVAILABLE:
                return 422;
            default:
                return 500;
        }
    }

    private static String stripQuery(String path) {
        int q = path.indexOf('?');
        return q < 0 ? path : path.substring(0, q);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(java.net.URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
