package io.chaosproxy.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The docker-compose lab, for real: builds the chaos-proxy and demo images on the offline base, starts
 * {@code docker-compose.yml} + {@code docker-compose.ci.yml} under a project name of its own, and through the control
 * API applies a reset, a latency and (when GET /capabilities says the packet engine works) a SYN drop in turn. Each
 * time it checks, from the demo client's and demo server's metrics as the lab's Prometheus scraped them, that the
 * matching outcome moved while the fault was on, and stopped moving once it was removed. Always tears the lab
 * down ({@code down -v}), whatever happens.
 *
 * <p>Needs /usr/bin/docker with a running engine, /usr/bin/docker-compose, and the images chaos-proxy-base:bookworm
 * and chaos-proxy-prometheus:bookworm (.ci/offline-images.sh makes all of these). Without them the test is skipped
 * with the reason, unless LAB_REQUIRE_DOCKER=1 (CI), which turns the skip into a failure.
 */
class LabIT {
    private static final String BASE_IMAGE = "chaos-proxy-base:bookworm";
    private static final String PROMETHEUS_IMAGE = "chaos-proxy-prometheus:bookworm";
    /** docker-compose.ci.yml's PostgreSQL: Debian's package, as the Testcontainers tests build it (TestImages). */
    private static final String POSTGRES_IMAGE = "chaos-proxy-test-postgres:bookworm";
    /** The application's circuit breaker state, one series per state; 1 marks the current one. */
    private static final String BREAKER_CLOSED = "max(resilience4j_circuitbreaker_state{name=\"demo-server\",state=\"closed\"})";
    private static final String HIKARI_TIMEOUTS = "sum(hikaricp_connections_timeout_total{pool=\"lab-db\"})";
    private static final Path DOCKER = Path.of("/usr/bin/docker");
    private static final Path COMPOSE = Path.of("/usr/bin/docker-compose");
    private static final String LOOPBACK = InetAddress.getLoopbackAddress().getHostAddress();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The lab's control API token for this run (the compose file passes CHAOS_PROXY_API_TOKEN on if set). */
    private static final String TOKEN = "lab-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    /** This run's image tag: another build on the machine may retag chaos-proxy:local meanwhile. */
    private static final String IMAGE_TAG = "labit" + ProcessHandle.current().pid();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path root = Path.of(System.getProperty("lab.root", "..")).toAbsolutePath().normalize();
    private final long started = System.nanoTime();
    private Shell shell;
    private List<String> compose;
    private String api;
    private String prometheus;

    @Test
    // The scenario takes about 3 minutes; a fresh CI machine also builds the PostgreSQL image first (Debian's package).
    @Timeout(value = 540, unit = TimeUnit.SECONDS)
    void faultsShowInTheClientsAndServersMetrics() throws Exception {
        requireDocker();
        Map<String, String> env = new HashMap<>();
        env.put("DOCKER_BUILDKIT", "0"); // the classic builder uses the local base image and never contacts a registry
        env.put("COMPOSE_DOCKER_CLI_BUILD", "0");
        env.put("LAB_IMAGE_TAG", IMAGE_TAG);
        int apiPort = freePort();
        int prometheusPort = freePort();
        env.put("LAB_API_PORT", Integer.toString(apiPort));
        env.put("LAB_HTTP_PORT", Integer.toString(freePort()));
        env.put("LAB_PROMETHEUS_PORT", Integer.toString(prometheusPort));
        env.put("LAB_GRAFANA_PORT", Integer.toString(freePort()));
        env.put("CHAOS_PROXY_API_TOKEN", TOKEN); // the lab with a token: Prometheus still scrapes, the test sends it
        shell = new Shell(root, env);
        api = "http://" + LOOPBACK + ":" + apiPort;
        prometheus = "http://" + LOOPBACK + ":" + prometheusPort;

        buildImages();
        String project = "cplab" + ProcessHandle.current().pid() + "x"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
        compose = List.of(COMPOSE.toString(), "-f", "docker-compose.yml", "-f", "docker-compose.ci.yml",
                "-p", project);
        Thread hook = new Thread(this::down, "lab-down");
        Runtime.getRuntime().addShutdownHook(hook); // the surefire fork killed on timeout still tears down
        boolean passed = false;
        try {
            up();
            long scenarioStart = System.currentTimeMillis() / 1000 - 30;
            resetPhase();
            latencyPhase();
            synDropPhase();
            everyLabPanelAnswers(scenarioStart);
            passed = true;
        } finally {
            if (!passed) {
                log("the lab failed; last logs:\n" + composeRun(Duration.ofSeconds(30), "logs", "--no-color",
                        "--tail", "40").tail());
            }
            down();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        log("done");
    }

    // --- setup -----------------------------------------------------------------------------------------------

    private void requireDocker() {
        Shell probe = new Shell(Path.of(System.getProperty("java.io.tmpdir")), Map.of());
        String missing = null;
        if (!Files.isRegularFile(root.resolve("docker-compose.yml"))) {
            missing = "no docker-compose.yml in " + root + " (system property lab.root)";
        } else if (!Files.isExecutable(DOCKER)) {
            missing = "no Docker client at " + DOCKER + " (apt-get install docker.io)";
        } else if (!probe.run(Duration.ofSeconds(20), DOCKER.toString(), "info").ok()) {
            missing = "no Docker engine answers `" + DOCKER + " info` (start /usr/sbin/dockerd)";
        } else if (!Files.isExecutable(COMPOSE)) {
            missing = "no " + COMPOSE + " (apt-get install docker-compose)";
        } else {
            for (String image : List.of(BASE_IMAGE, PROMETHEUS_IMAGE)) {
                if (!probe.run(Duration.ofSeconds(20), DOCKER.toString(), "image", "inspect", image).ok()) {
                    missing = "no image " + image + " (bash .ci/offline-images.sh makes it offline)";
                    break;
                }
            }
        }
        if (missing == null) {
            for (Path jar : List.of(root.resolve("control-api/target/chaos-proxy.jar"),
                    root.resolve("lab/target/chaos-proxy-lab.jar"))) {
                if (!Files.isRegularFile(jar)) {
                    missing = "no " + jar + " (mvn package builds it)";
                }
            }
        }
        if (missing != null) {
            boolean required = "1".equals(System.getenv("LAB_REQUIRE_DOCKER"))
                    || Boolean.getBoolean("lab.requireDocker");
            String message = "docker-compose lab test " + (required ? "cannot run" : "skipped") + ": " + missing;
            System.err.println(message);
            assertThat(required).as(message + " (LAB_REQUIRE_DOCKER=1 makes this a failure, not a skip)").isFalse();
            Assumptions.abort(message);
        }
    }

    private void buildImages() {
        long t = System.nanoTime();
        shell.run(Duration.ofSeconds(180), DOCKER.toString(), "build", "-q", "--build-arg", "BASE_IMAGE=" + BASE_IMAGE,
                "-f", "docker/chaos-proxy.Dockerfile", "-t", "chaos-proxy:" + IMAGE_TAG, "control-api/target").orThrow();
        shell.run(Duration.ofSeconds(180), DOCKER.toString(), "build", "-q", "--build-arg", "BASE_IMAGE=" + BASE_IMAGE,
                "-f", "docker/lab.Dockerfile", "-t", "chaos-proxy-lab:" + IMAGE_TAG, "lab/target").orThrow();
        if (!shell.run(Duration.ofSeconds(20), DOCKER.toString(), "image", "inspect", POSTGRES_IMAGE).ok()) {
            // The same image the Testcontainers tests build (TestImages), from Debian's package on the offline base.
            shell.run(Duration.ofSeconds(240), DOCKER.toString(), "build", "-q", "--build-arg",
                    "BASE_IMAGE=" + BASE_IMAGE, "-t", POSTGRES_IMAGE, "testcontainers/src/test/docker/postgres")
                    .orThrow();
        }
        log("images built in " + seconds(System.nanoTime() - t) + " s");
    }

    private void up() throws Exception {
        long t = System.nanoTime();
        composeRun(Duration.ofSeconds(150), "up", "-d", "--no-build").orThrow();
        log("docker-compose up returned after " + seconds(System.nanoTime() - t) + " s (services healthy)");
        await("the control API answers", Duration.ofSeconds(60), () -> get(api + "/version").statusCode() == 200);
        await("Prometheus scrapes chaos-proxy, demo-server, demo-client and demo-app", Duration.ofSeconds(60), () -> {
            JsonNode targets = JSON.readTree(get(prometheus + "/api/v1/targets").body()).path("data")
                    .path("activeTargets");
            int up = 0;
            for (JsonNode target : targets) {
                up += target.path("health").asText().equals("up") ? 1 : 0;
            }
            return up == 4;
        });
        awaitQuery("the demo client's first successful requests", Duration.ofSeconds(60),
                "sum(demo_client_requests_total{target=\"http\",outcome=\"ok\"})", v -> v >= 5);
        awaitQuery("the application's first queries through HikariCP", Duration.ofSeconds(60),
                "sum(hikaricp_connections_usage_seconds_count{pool=\"lab-db\"})", v -> v >= 5);
        awaitQuery("the application's first HTTP calls through its retry and circuit breaker", Duration.ofSeconds(60),
                "sum(resilience4j_retry_calls_total{name=\"demo-server\",kind=\"successful_without_retry\"})",
                v -> v >= 5);
        awaitQuery("the application's circuit breaker closed", Duration.ofSeconds(30), BREAKER_CLOSED, v -> v == 1);
        log("lab up and traffic flowing after " + seconds(System.nanoTime() - t) + " s");
    }

    private void down() {
        if (compose == null) {
            return;
        }
        long t = System.nanoTime();
        Shell.Result r = composeRun(Duration.ofSeconds(120), "down", "-v", "--remove-orphans", "-t", "5");
        log("docker-compose down -v: exit " + r.exitCode() + " after " + seconds(System.nanoTime() - t) + " s");
        compose = null;
        shell.run(Duration.ofSeconds(60), DOCKER.toString(), "rmi", "chaos-proxy:" + IMAGE_TAG,
                "chaos-proxy-lab:" + IMAGE_TAG); // this run's tags only; the layers stay cached
    }

    private Shell.Result composeRun(Duration limit, String... args) {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of(args));
        return shell.run(limit, command);
    }

    // --- the faults ------------------------------------------------------------------------------------------

    /** reset_peer after 1 KiB of each 4 KiB answer: the client sees connection_reset, the server a reset too. */
    private void resetPhase() throws Exception {
        String resets = "sum(demo_client_requests_total{target=\"http\",outcome=\"connection_reset\"})";
        String serverResets = "sum(demo_server_resets_total{listener=\"http\"})";
        double before = query(resets);
        double serverBefore = query(serverResets);
        long addedAt = System.currentTimeMillis() / 1000;
        long added = System.nanoTime();
        addToxic("http", "{\"name\":\"lab_reset\",\"type\":\"reset_peer\",\"stream\":\"downstream\","
                + "\"attributes\":{\"after_bytes\":1024}}");
        double during = awaitQuery("connection_reset rising under reset_peer", Duration.ofSeconds(45), resets,
                v -> v >= before + 10);
        awaitQuery("the demo server seeing resets", Duration.ofSeconds(30), serverResets, v -> v >= serverBefore + 5);
        awaitQuery("the application's circuit breaker leaving closed under reset_peer", Duration.ofSeconds(45),
                BREAKER_CLOSED, v -> v == 0);
        long left = System.nanoTime();
        log("reset: the application's circuit breaker left closed " + seconds(left - added) + " s after the toxic");
        // Held 20 s in all: long enough for the breaker to try half-open (after 5 s open) and open again.
        Thread.sleep(Math.max(0, 20_000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - added)));
        removeToxic("http", "lab_reset");
        long removed = System.nanoTime();
        awaitQuery("the application's circuit breaker closed again after reset_peer is removed", Duration.ofSeconds(45),
                BREAKER_CLOSED, v -> v == 1);
        log("reset: the circuit breaker was closed again " + seconds(System.nanoTime() - removed)
                + " s after the removal; transitions Prometheus saw: " + breakerTransitions(addedAt));
        log("reset: connection_reset " + before + " -> " + during + " while on");
        assertStopsMoving("connection_reset after reset_peer is removed", resets);
    }

    /** latency 500 ms on answers: the client's request time moves from milliseconds to over half a second. */
    private void latencyPhase() throws Exception {
        double baseline = meanLatency(Duration.ofSeconds(10));
        double baselineClientP50 = query("histogram_quantile(0.5, sum by (le) (rate("
                + "demo_client_request_duration_seconds_bucket{target=\"http\",outcome=\"ok\"}[15s])))");
        double baselineAppP50 = query("histogram_quantile(0.5, sum by (le) (rate(http_client_requests_seconds_bucket"
                + "{application=\"lab-app\",outcome=\"SUCCESS\"}[15s])))");
        addToxic("http", "{\"name\":\"lab_latency\",\"type\":\"latency\",\"stream\":\"downstream\","
                + "\"attributes\":{\"latency\":500}}");
        Thread.sleep(7000); // connections from before the toxic finish, and a scrape sees the new ones
        double slow = meanLatency(Duration.ofSeconds(12));
        double fastShare = bucketShare(0.25, Duration.ofSeconds(10));
        double clientP50 = query("histogram_quantile(0.5, sum by (le) (rate(demo_client_request_duration_seconds_bucket"
                + "{target=\"http\",outcome=\"ok\"}[15s])))");
        double appP50 = query("histogram_quantile(0.5, sum by (le) (rate(http_client_requests_seconds_bucket"
                + "{application=\"lab-app\",outcome=\"SUCCESS\"}[15s])))");
        removeToxic("http", "lab_latency");
        log(String.format(Locale.ROOT, "latency: p50 request time with 500 ms latency: demo client %.3f s, "
                + "application's HTTP client %.3f s (baseline p50: demo client %.4f s, application %.4f s)", clientP50,
                appP50, baselineClientP50, baselineAppP50));
        assertThat(clientP50).as("the demo client's p50 request time under a 500 ms latency").isBetween(0.45, 1.0);
        assertThat(appP50).as("the application's p50 HTTP client time under a 500 ms latency").isBetween(0.45, 1.0);
        assertThat(baselineClientP50).as("the demo client's p50 request time without faults").isLessThan(0.1);
        assertThat(baselineAppP50).as("the application's p50 HTTP client time without faults").isLessThan(0.1);
        log(String.format(Locale.ROOT, "latency: mean ok request time %.4f s before, %.4f s with 500 ms latency; "
                + "share of requests under 250 ms with it: %.2f", baseline, slow, fastShare));
        assertThat(baseline).as("mean request time without faults").isLessThan(0.25);
        assertThat(slow).as("mean request time under a 500 ms latency toxic").isGreaterThanOrEqualTo(0.45)
                .isLessThan(2.0);
        assertThat(fastShare).as("share of ok requests under 250 ms with the latency toxic").isLessThan(0.2);
        Thread.sleep(7000);
        double after = meanLatency(Duration.ofSeconds(10));
        log(String.format(Locale.ROOT, "latency: mean ok request time %.4f s after removal", after));
        assertThat(after).as("mean request time once the latency toxic is removed").isLessThan(0.25);
    }

    /** syn_drop (packet engine) on every SYN: the client's connects time out. Skipped where the engine is off. */
    private void synDropPhase() throws Exception {
        JsonNode capabilities = JSON.readTree(get(api + "/capabilities").body());
        JsonNode packet = capabilities.path("engines").path("packet");
        if (!packet.path("available").asBoolean(false)) {
            log("syn_drop: SKIPPED, the packet engine is unavailable in the container: "
                    + packet.path("reason").asText("(no reason given)"));
            return;
        }
        String timeouts = "sum(demo_client_requests_total{target=\"http\",outcome=\"connect_timeout\"})";
        double before = query(timeouts);
        double hikariBefore = query(HIKARI_TIMEOUTS);
        addToxic("http", "{\"name\":\"lab_syn_drop\",\"type\":\"syn_drop\",\"stream\":\"upstream\","
                + "\"attributes\":{\"count\":0}}");
        // The application's database path too: its pool retires connections and cannot dial new ones.
        long pgAdded = System.nanoTime();
        addToxic("postgres", "{\"name\":\"lab_pg_syn_drop\",\"type\":\"syn_drop\",\"stream\":\"upstream\","
                + "\"attributes\":{\"count\":0}}");
        double during = awaitQuery("connect_timeout rising under syn_drop", Duration.ofSeconds(45), timeouts,
                v -> v >= before + 5);
        awaitQuery("HikariCP connection timeouts rising under syn_drop on the database proxy", Duration.ofSeconds(60),
                HIKARI_TIMEOUTS, v -> v >= hikariBefore + 5);
        Thread.sleep(10_000); // a steady state to measure
        double hikariRate = query("sum(rate(hikaricp_connections_timeout_total{pool=\"lab-db\"}[15s]))");
        double acquireMax = query("max(hikaricp_connections_acquire_seconds_max{pool=\"lab-db\"})");
        double hikariDuring = query(HIKARI_TIMEOUTS);
        removeToxic("http", "lab_syn_drop");
        removeToxic("postgres", "lab_pg_syn_drop");
        log(String.format(Locale.ROOT, "syn_drop: connect_timeout %.0f -> %.0f while on; HikariCP timeouts %.0f -> "
                + "%.0f in %s s, %.2f/s over the last 15 s, acquire time max %.2f s", before, during, hikariBefore,
                hikariDuring, seconds(System.nanoTime() - pgAdded), hikariRate, acquireMax));
        assertThat(hikariRate).as("HikariCP connection timeouts per second under syn_drop").isGreaterThan(0.5);
        assertThat(acquireMax).as("HikariCP acquire time max under syn_drop (connectionTimeout 2 s)")
                .isGreaterThanOrEqualTo(1.9);
        assertStopsMoving("connect_timeout after syn_drop is removed", timeouts);
        double settled = query(HIKARI_TIMEOUTS);
        Thread.sleep(11_000);
        double later = query(HIKARI_TIMEOUTS);
        log("syn_drop: HikariCP timeouts " + settled + " -> " + later + " over 11 s once removed");
        assertThat(later).as("HikariCP timeouts once syn_drop is removed").isEqualTo(settled);
    }

    /**
     * After a removal: in-flight requests end within the client's timeouts (2 s connect + 3 s read) and a scrape
     * sees them; from then on the counter must not move, while ok requests go on.
     */
    private void assertStopsMoving(String what, String counter) throws Exception {
        String ok = "sum(demo_client_requests_total{target=\"http\",outcome=\"ok\"})";
        Thread.sleep(12_000);
        double settled = query(counter);
        double okSettled = query(ok);
        Thread.sleep(11_000);
        double later = query(counter);
        double okLater = query(ok);
        log(what + ": " + settled + " -> " + later + " over 11 s; ok " + okSettled + " -> " + okLater);
        assertThat(later).as(what).isEqualTo(settled);
        assertThat(okLater - okSettled).as("ok requests over 11 s once " + what.replace(" after ", ", ")).isGreaterThan(40);
    }

    // --- the dashboards ----------------------------------------------------------------------------------------

    /**
     * Every panel and annotation of the lab's dashboards (LabDashboards.FILES), as Grafana would draw them over the
     * scenario: each metric it names is one Prometheus has, and the range query succeeds with at least one series.
     */
    private void everyLabPanelAnswers(long from) throws Exception {
        long to = System.currentTimeMillis() / 1000;
        Thread.sleep(6000); // a scrape after the last phase
        JsonNode names = JSON.readTree(get(prometheus + "/api/v1/label/__name__/values").body()).path("data");
        List<String> known = new ArrayList<>();
        names.forEach(n -> known.add(n.asText()));
        List<String> problems = new ArrayList<>();
        int panels = 0;
        for (LabDashboards.Query q : LabDashboards.queries(root.resolve("dashboards"))) {
            panels++;
            for (String metric : q.metricNames()) {
                if (!known.contains(metric)) {
                    problems.add(q.where() + ": Prometheus has no metric " + metric);
                }
            }
            HttpResponse<String> r = get(prometheus + "/api/v1/query_range?start=" + from + "&end=" + to
                    + "&step=5&query=" + URLEncoder.encode(q.promql(), StandardCharsets.UTF_8));
            JsonNode answer = JSON.readTree(r.body());
            if (!"success".equals(answer.path("status").asText())) {
                problems.add(q.where() + ": " + answer.path("error").asText() + "\n    " + q.promql());
            } else if (answer.path("data").path("result").isEmpty()) {
                problems.add(q.where() + ": no series over the scenario\n    " + q.promql());
            }
        }
        log("dashboards: " + panels + " panel queries evaluated over the scenario, " + problems.size() + " problems");
        assertThat(problems).as("lab dashboard panels that fail or stay empty over the scenario").isEmpty();
    }

    /** The breaker's state changes since {@code from} as Prometheus scraped them, "+12s open" (5 s resolution). */
    private String breakerTransitions(long from) throws Exception {
        String promql = "max by (state) (resilience4j_circuitbreaker_state{name=\"demo-server\"} == 1)";
        long to = System.currentTimeMillis() / 1000;
        JsonNode result = JSON.readTree(get(prometheus + "/api/v1/query_range?start=" + from + "&end=" + to
                + "&step=1&query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body()).path("data")
                .path("result");
        java.util.TreeMap<Long, String> stateAt = new java.util.TreeMap<>();
        for (JsonNode series : result) {
            String state = series.path("metric").path("state").asText();
            for (JsonNode point : series.path("values")) {
                stateAt.put(point.get(0).asLong(), state);
            }
        }
        StringBuilder out = new StringBuilder();
        String last = null;
        for (Map.Entry<Long, String> e : stateAt.entrySet()) {
            if (!e.getValue().equals(last)) {
                out.append(out.length() == 0 ? "" : ", ").append("+").append(e.getKey() - from).append(" s ")
                        .append(e.getValue());
                last = e.getValue();
            }
        }
        return out.toString();
    }

    // --- control API and Prometheus ------------------------------------------------------------------------------

    private void addToxic(String proxy, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/proxies/" + proxy + "/toxics"))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST toxic " + body + ": " + r.body()).isEqualTo(200);
        log("added toxic " + r.body());
    }

    private void removeToxic(String proxy, String name) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
                URI.create(api + "/proxies/" + proxy + "/toxics/" + name)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(10)).DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("DELETE toxic " + name + ": " + r.body()).isEqualTo(204);
        log("removed toxic " + name);
    }

    /** Mean time of ok http requests over the next {@code window}, from the histogram's _sum and _count. */
    private double meanLatency(Duration window) throws Exception {
        String sum = "sum(demo_client_request_duration_seconds_sum{target=\"http\",outcome=\"ok\"})";
        String count = "sum(demo_client_request_duration_seconds_count{target=\"http\",outcome=\"ok\"})";
        double s0 = query(sum);
        double c0 = query(count);
        Thread.sleep(window.toMillis());
        double s1 = query(sum);
        double c1 = query(count);
        assertThat(c1 - c0).as("ok requests seen by Prometheus in " + window.toSeconds() + " s").isGreaterThan(10);
        return (s1 - s0) / (c1 - c0);
    }

    /** Share of ok http requests over the next {@code window} that took at most {@code le} seconds. */
    private double bucketShare(double le, Duration window) throws Exception {
        String bucket = "sum(demo_client_request_duration_seconds_bucket{target=\"http\",outcome=\"ok\",le=\""
                + le + "\"})";
        String count = "sum(demo_client_request_duration_seconds_count{target=\"http\",outcome=\"ok\"})";
        double b0 = query(bucket);
        double c0 = query(count);
        Thread.sleep(window.toMillis());
        double b1 = query(bucket);
        double c1 = query(count);
        assertThat(c1 - c0).as("ok requests seen by Prometheus in " + window.toSeconds() + " s").isGreaterThan(10);
        return (b1 - b0) / (c1 - c0);
    }

    /** An instant query through Prometheus' HTTP API: the single value, or NaN for an empty result. */
    private double query(String promql) throws Exception {
        HttpResponse<String> r = get(prometheus + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(promql + ": " + r.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(r.body()).path("data").path("result");
        if (result.isEmpty()) {
            return Double.NaN;
        }
        return Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private double awaitQuery(String what, Duration limit, String promql, DoublePredicate done) throws Exception {
        double[] last = {Double.NaN};
        await(what + " (" + promql + ")", limit, () -> {
            last[0] = query(promql);
            return done.test(last[0]);
        });
        return last[0];
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private void await(String what, Duration limit, Check check) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        Exception lastError = null;
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
                lastError = null;
            } catch (IOException e) {
                lastError = e; // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit.toSeconds() + " s waiting for " + what
                        + (lastError == null ? "" : ": " + lastError), lastError);
            }
            Thread.sleep(1000);
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void log(String message) {
        String line = String.format(Locale.ROOT, "[lab %6.1f s] %s", (System.nanoTime() - started) / 1e9, message);
        System.out.println(line);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }
}
