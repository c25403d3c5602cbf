package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control API bounds what one client can hold: a request must arrive in full within the header timeout, a
 * kept-alive connection may idle for the idle timeout, connections and event streams beyond their caps get a 503
 * JSON answer, and a pipelined burst is answered in order with a 503 (not a silent close) beyond its limit.
 */
class ApiConnectionLimitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private ChaosProxyServer server;

    private int start(ApiLimits limits) {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), false, limits);
        return server.apiAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aClientSendingOneByteAtATimeIsCutOffAtTheHeaderTimeout() throws Exception {
        int port = start(ApiLimits.defaults().withTimeouts(Duration.ofMillis(1500), Duration.ofSeconds(60)));
        byte[] request = RawSocket.get("/version").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (RawSocket c = new RawSocket(port)) {
            long start = System.nanoTime();
            int sent = 0;
            // 1 byte every 250 ms: the whole request would take 9 s, far beyond the 1.5 s header timeout.
            try {
                while (sent < request.length - 1) {
                    c.socket.getOutputStream().write(request[sent++]);
                    c.socket.getOutputStream().flush();
                    Thread.sleep(250);
                }
            } catch (IOException cutOff) {
                // the server closed the connection while we were still sending: what we expect
            }
            String answer = c.readUntilClosed();
            long heldMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(sent).as("bytes sent before the cut").isLessThan(request.length - 1);
            assertThat(heldMillis).as("connection held").isBetween(1_000L, 5_000L);
            assertThat(answer).startsWith("HTTP/1.1 408");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("status").asInt()).isEqualTo(408);
            assertThat(body.get("error").asText()).contains("not received in full");
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeaderTimeout() throws Exception {
        int port = start(ApiLimits.defaults().withTimeouts(Duration.ofMillis(1000), Duration.ofSeconds(60)));
        try (RawSocket c = new RawSocket(port)) {
            assertThat(c.closedWithin(5_000)).isTrue();
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterTheIdleTimeoutNotBefore() throws Exception {
        int port = start(ApiLimits.defaults().withTimeouts(Duration.ofMillis(500), Duration.ofMillis(2000)));
        try (RawSocket c = new RawSocket(port)) {
            c.send(RawSocket.get("/version"));
            byte[] head = new byte[12];
            assertThat(c.socket.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            long answered = System.nanoTime();
            // Longer than the header timeout: between requests the idle timeout applies.
            assertThat(c.closedWithin(1_000)).as("closed before the idle timeout").isFalse();
            assertThat(c.closedWithin(6_000)).as("closed after the idle timeout").isTrue();
            assertThat((System.nanoTime() - answered) / 1_000_000).isGreaterThanOrEqualTo(1_900L);
        }
    }

    @Test
    void connectionsBeyondTheCapGet503Json() throws Exception {
        int port = start(ApiLimits.defaults().withMaxConnections(4));
        List<RawSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawSocket c = new RawSocket(port);
                c.send(RawSocket.get("/version")); // each answered, then kept alive: all 4 slots taken
                assertThat(new String(c.socket.getInputStream().readNBytes(12))).isEqualTo("HTTP/1.1 200");
                held.add(c);
            }
            try (RawSocket fifth = new RawSocket(port)) {
                fifth.send(RawSocket.get("/version"));
                String answer = fifth.readUntilClosed();
                assertThat(answer).startsWith("HTTP/1.1 503").containsIgnoringCase("content-type: application/json");
                JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
                assertThat(body.get("status").asInt()).isEqualTo(503);
                assertThat(body.get("error").asText()).contains("at most 4", "--api-max-connections");
            }
            held.remove(0).close();
            ApiClient api = new ApiClient(port);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> api.get("/version").status() == 200);
        } finally {
            for (RawSocket c : held) {
                c.close();
            }
        }
    }

    @Test
    void eventStreamsBeyondTheirCapGet503Json() throws Exception {
        int port = start(ApiLimits.defaults().withMaxEventStreams(1));
        try (RawSocket first = new RawSocket(port); RawSocket second = new RawSocket(port)) {
            first.send(RawSocket.get("/events"));
            assertThat(new String(first.socket.getInputStream().readNBytes(12))).isEqualTo("HTTP/1.1 200");
            second.send("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            String answer = second.readUntilClosed();
            assertThat(answer).startsWith("HTTP/1.1 503");
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.get("error").asText()).contains("at most 1", "--api-max-event-streams");
            JsonNode limits = new ApiClient(port).get("/capabilities").json().get("limits");
            assertThat(limits.get("api_max_event_streams").asInt()).isEqualTo(1);
            assertThat(limits.get("api_max_connections").asInt()).isEqualTo(ApiLimits.DEFAULT_MAX_CONNECTIONS);
            assertThat(limits.get("max_heap_bytes").asLong()).isEqualTo(Runtime.getRuntime().maxMemory());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndABurstBeyondTheLimitGets503() throws Exception {
        int port = start(ApiLimits.defaults());
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 299; i++) {
            burst.append(RawSocket.get(i % 2 == 0 ? "/version" : "/nope-" + i));
        }
        burst.append("GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"); // the 300th, even

        try (RawSocket c = new RawSocket(port)) {
            c.send(burst.toString());
            String all = c.readUntilClosed();
            Matcher m = Pattern.compile("HTTP/1.1 (\\d{3})").matcher(all);
            List<Integer> statuses = new ArrayList<>();
            while (m.find()) {
                statuses.add(Integer.parseInt(m.group(1)));
            }
            assertThat(statuses.size()).as("answers").isGreaterThanOrEqualTo(129);
            int refused = statuses.indexOf(503);
            int answeredBefore = refused < 0 ? statuses.size() : refused;
            for (int i = 0; i < answeredBefore; i++) {
                assertThat(statuses.get(i)).as("answer " + i).isEqualTo(i % 2 == 0 ? 200 : 404);
            }
            if (refused >= 0) {
                assertThat(refused).isGreaterThanOrEqualTo(128);
                assertThat(statuses).hasSize(refused + 1);
                assertThat(all).contains("too many pipelined requests");
            } else {
                assertThat(statuses).hasSize(300);
            }
        }
    }
}
