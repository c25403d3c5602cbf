package io.chaosproxy.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.api.ApiException;
import io.chaosproxy.api.ApiRequest;
import io.chaosproxy.api.ApiResponse;
import io.chaosproxy.api.RouteTable;
import io.chaosproxy.engine.ProxyRegistry;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /scenarios} and {@code POST /scenarios/{name}/run}, added to the API's route table by the server's
 * wiring (the api package knows nothing of scenarios). A run uses the running chaos-proxy itself (a proxy of its
 * own, deleted afterwards) and answers with the record once done, seconds later: it runs on {@link ScenarioRuns},
 * so the API's control thread stays free meanwhile. A user's own client command is a command-line feature only:
 * the API never runs shell commands.
 */
public final class ScenarioRoutes {
    private final ProxyRegistry registry;
    private final ScenarioRuns runs;

    public ScenarioRoutes(ProxyRegistry registry, ScenarioRuns runs) {
        this.registry = registry;
        this.runs = runs;
    }

    public void addTo(RouteTable table) {
        table.answer("GET", "/scenarios", r -> json(list()))
                .answerLater("POST", "/scenarios/{name}/run", this::run);
    }

    private CompletionStage<ApiResponse> run(ApiRequest request) {
        String name = request.param("name");
        // Looked up before queueing: an unknown name is answered at once and takes no place in the line.
        Scenario s = Catalogue.find(name).orElseThrow(() -> new ApiException(404,
                "no scenario named '" + name + "' (GET /scenarios lists them)"));
        return runs.submit(() -> json(s.run(new ScenarioEnvironment(registry))));
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

    private static ApiResponse json(Object value) {
        try {
            return new ApiResponse(200, ApiResponse.JSON, Reports.mapper().writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
