package io.chaosproxy.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.chaosproxy.scenario.ScenarioRecord.Step;
import java.util.List;
import java.util.Locale;

/** The record as JSON, and the one-line-per-scenario table the command line prints. */
public final class Reports {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private Reports() {
    }

    public static ObjectMapper mapper() {
        return JSON;
    }

    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The toxic part of a fault ({@code syn_drop count=1}), without its explanation. */
    static String shortFault(String fault) {
        int colon = fault.indexOf(':');
        return colon < 0 ? fault : fault.substring(0, colon);
    }

    static String clientSaw(ScenarioRecord r) {
        if (r.client() == null) {
            return r.status().equals(ScenarioRecord.UNAVAILABLE) ? "(not run: packet engine unavailable)"
                    : "(not run: " + r.reason() + ")";
        }
        String connect = r.client().connectMillis() == null ? ""
                : " [connect " + ClientIo.fmt(r.client().connectMillis()) + " ms]";
        return r.client().outcome() + ": " + r.client().saw() + connect;
    }

    static String serverSaw(ScenarioRecord r) {
        if (r.server() == null) {
            return "";
        }
        if (r.server().steps().isEmpty()) {
            return r.server().saw();
        }
        StringBuilder s = new StringBuilder();
        for (Step st : r.server().steps()) {
            String what = st.what().startsWith("accept()") ? "accept" : st.what();
            s.append(s.length() == 0 ? "" : "; ").append(ClientIo.fmt(st.tMillis())).append(" ms ").append(what);
        }
        return s.toString();
    }

    static String time(ScenarioRecord r) {
        return r.client() == null ? "-" : String.format(Locale.ROOT, "%.2f s", r.client().totalMillis() / 1000);
    }

    static String status(ScenarioRecord r) {
        return r.status().replace('_', ' ');
    }

    /** A fixed-width table: stage, scenario, fault, client saw, server saw, time, status. */
    public static String table(List<ScenarioRecord> records) {
        String fmt = "%-11s %-33s %-24s %-60s %-50s %8s  %s%n";
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, fmt, "STAGE", "SCENARIO", "FAULT",
                "CLIENT SAW", "SERVER SAW", "TIME", "STATUS"));
        for (ScenarioRecord r : records) {
            out.append(String.format(Locale.ROOT, fmt, r.stage(), r.name(), cut(shortFault(r.fault()), 24),
                    cut(clientSaw(r), 60), cut(serverSaw(r), 50), time(r), status(r)));
            if (r.reason() != null && !r.status().equals(ScenarioRecord.AS_STATED)) {
                out.append("            ").append(r.reason()).append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
