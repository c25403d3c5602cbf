package io.chaosproxy.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.api.ApiException;
import io.chaosproxy.api.ApiResponse;
import io.chaosproxy.engine.ProxyRegistry;
import java.util.List;

/**
 * {@code GET /scenarios} and {@code POST /scenarios/{name}/run}. A run uses the running chaos-proxy itself (a
 * proxy of its own, deleted afterwards) and answers with the record once done: the control thread waits for it
 * (seconds; upstream-blackholed waits the engine's connect timeout). A user's own client command is a command-line
 * feature only: the API never runs shell commands.
 */
public final class ScenarioRoutes {
    private final ProxyRegistry registry;

    public ScenarioRoutes(ProxyRegistry registry) {
        this.registry = registry;
    }

    /** @param parts the path's segments, the first being {@code scenarios} */
    public ApiResponse handle(String method, List<String> parts) {
        if (parts.size() == 1) {
            if (!method.equals("GET")) {
                throw new ApiException(405, "method " + method + " not allowed on /scenarios");
            }
            return json(200, list());
        }
        if (parts.size() == 3 && parts.get(2).equals("run")) {
            if (!method.equals("POST")) {
                throw new ApiException(405, "method " + method + " not allowed on /scenarios/" + parts.get(1)
                        + "/run");
            }
            Scenario s = Catalogue.find(parts.get(1)).orElseThrow(() -> new ApiException(404,
                    "no scenario named '" + parts.get(1) + "' (GET /scenarios lists them)"));
            return json(200, s.run(new ScenarioEnvironment(registry)));
        }
        throw new ApiException(404, "not found: /" + String.join("/", parts));
    }

    private ArrayNode list() {
        String why = registry.engine().packetFaults().unavailableReason();
        ArrayNode a = Reports.mapper().createArrayNode();
        for (Scenario s : Catalogue.all()) {
            ObjectNode n = a.addObject();
            n.put("name", s.name());
            n.put("stage", s.stage().jsonName());
            n.put("fault", s.fault());
            n.put("needs_packet_engine", s.needsPacketEngine());
            n.put("available", !s.needsPacketEngine() || why == null);
            if (s.needsPacketEngine() && why != null) {
                n.put("reason", why);
            }
            n.put("expected", s.expected());
            n.put("explanation", s.explanation());
        }
        return a;
    }

    private static ApiResponse json(int status, Object value) {
        try {
            return new ApiResponse(status, ApiResponse.JSON, Reports.mapper().writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
