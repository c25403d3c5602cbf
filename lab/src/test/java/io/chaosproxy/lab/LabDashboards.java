package io.chaosproxy.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The panels of the dashboards fed by the lab's own services (the demo client and server, the application under
 * test), as Grafana would query them: every panel target and annotation, with each template variable set to "All"
 * and Grafana's built-in intervals filled in. DashboardQueriesTest checks their JSON and their chaos-proxy queries
 * in-process; their other queries need the lab, so LabIT evaluates them here.
 */
final class LabDashboards {
    /** The dashboards whose panels need the lab's services. */
    static final List<String> FILES = List.of("client-server.json", "application.json");

    private static final Map<String, String> VARIABLES = Map.of(
            "__rate_interval", "15s", "__interval", "5s", "__range", "5m", "__range_s", "300", "__range_ms",
            "300000");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?\\}?");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "offset", "bool", "and", "or", "unless");

    /** One panel target or annotation: where it is (for messages), the PromQL as written and as evaluated. */
    record Query(String where, String expr, String promql) {
        /** Metric names it selects (every name before a label matcher). */
        Set<String> metricNames() {
            Set<String> names = new TreeSet<>();
            Matcher m = SELECTOR.matcher(expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\""));
            while (m.find()) {
                if (!PROMQL_WORDS.contains(m.group(1))) {
                    names.add(m.group(1));
                }
            }
            return names;
        }
    }

    private LabDashboards() {
    }

    static List<Query> queries(Path dashboardsDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Query> out = new ArrayList<>();
        for (String file : FILES) {
            JsonNode dash = json.readTree(dashboardsDir.resolve(file).toFile());
            Set<String> variables = new TreeSet<>();
            dash.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
            for (JsonNode panel : dash.path("panels")) {
                for (JsonNode t : panel.path("targets")) {
                    String where = file + " panel " + panel.path("id").asInt() + " '" + panel.path("title").asText()
                            + "' " + t.path("refId").asText();
                    out.add(query(where, t.path("expr").asText(), variables));
                }
            }
            for (JsonNode a : dash.path("annotations").path("list")) {
                out.add(query(file + " annotation '" + a.path("name").asText() + "'", a.path("expr").asText(),
                        variables));
            }
        }
        return out;
    }

    private static Query query(String where, String expr, Set<String> dashboardVariables) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = VARIABLES.get(name);
            if (value == null && dashboardVariables.contains(name)) {
                value = ".*"; // "All"
            }
            if (value == null) {
                throw new AssertionError(where + ": unknown variable $" + name + " in " + expr);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return new Query(where, expr, sb.toString());
    }
}
