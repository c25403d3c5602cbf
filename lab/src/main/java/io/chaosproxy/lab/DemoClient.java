package io.chaosproxy.lab;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The lab's load generator: calls the demo server through chaos-proxy at a steady rate, one new connection per
 * request, never more than {@code --max-in-flight} at once (a tick that finds them all busy is counted as skipped,
 * so a stalled proxy cannot make the client pile up threads), and exports what it experienced on /metrics:
 * <ul>
 *   <li>{@code demo_client_requests_total{target, outcome}}: ok, connect_timeout, connection_refused,
 *       connection_reset, read_timeout, eof_early, corrupt, error</li>
 *   <li>{@code demo_client_request_duration_seconds{target, outcome}}: connect start to the last byte (or the
 *       failure)</li>
 *   <li>{@code demo_client_connect_duration_seconds{target}}: time connect() took, successful connects only</li>
 *   <li>{@code demo_client_requests_skipped_total{target}}, {@code demo_client_in_flight{target}}</li>
 * </ul>
 * Targets: {@code http} (GET with a response size and server think time) and {@code echo} (bytes sent, half-close,
 * the same bytes expected back, then EOF).
 */
public final class DemoClient implements AutoCloseable {
    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("http", "chaos-proxy:8080");
        d.put("echo", "chaos-proxy:9000");
        d.put("rate", "10");
        d.put("echo-rate", "2");
        d.put("size", "4096");
        d.put("think-ms", "0");
        d.put("echo-size", "1024");
        d.put("connect-timeout-ms", "2000");
        d.put("read-timeout-ms", "3000");
        d.put("max-in-flight", "64");
        d.put("metrics-host", "0.0.0.0");
        d.put("metrics-port", "9100");
        d.put("report-every-s", "10");
        return d;
    }

    // Counters are named without _total: the client library adds it to the exposed series.
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests = Counter.builder().name("demo_client_requests")
            .help("Requests by target and outcome, as the client experienced them.")
            .labelNames("target", "outcome").register(registry);
    private final Histogram duration = Histogram.builder().name("demo_client_request_duration_seconds")
            .help("Request time from connect start to the last byte or the failure, by target and outcome.")
            .classicOnly().classicUpperBounds(MetricsServer.latencyBuckets())
            .labelNames("target", "outcome").register(registry);
    private final Histogram connectTime = Histogram.builder().name("demo_client_connect_duration_seconds")
            .help("Time connect() took, successful connects only.")
            .classicOnly().classicUpperBounds(MetricsServer.latencyBuckets())
            .labelNames("target").register(registry);
    private final Counter skipped = Counter.builder().name("demo_client_requests_skipped")
            .help("Requests not started because max-in-flight requests were already running.")
            .labelNames("target").register(registry);
    private final Gauge inFlight = Gauge.builder().name("demo_client_in_flight")
            .help("Requests running now.")
            .labelNames("target").register(registry);

    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ticks"));
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> daemon(r, "request"));
    private final Args args;
    private final Probe probe;
    private final Map<String, String> lastError = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Map<Outcome, Long>> lastReport = new java.util.concurrent.ConcurrentHashMap<>();
    private MetricsServer metricsServer;

    DemoClient(Args args) {
        this.args = args;
        this.probe = new Probe(args.integer("connect-timeout-ms"), args.integer("read-timeout-ms"));
    }

    public static void main(String[] argv) throws Exception {
        DemoClient client;
        try {
            client = new DemoClient(new Args("client", argv, defaults()));
            client.start();
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(client::close));
        Thread.currentThread().join();
    }

    void start() throws Exception {
        metricsServer = new MetricsServer(args.string("metrics-host"), args.integer("metrics-port"), registry);
        Args.HostPort http = args.address("http");
        Args.HostPort echo = args.address("echo");
        int size = args.integer("size");
        int think = args.integer("think-ms");
        int echoSize = args.integer("echo-size");
        if (http != null) {
            schedule("http", args.decimal("rate"), () -> probe.http(http.host(), http.port(), size, think));
        }
        if (echo != null) {
            schedule("echo", args.decimal("echo-rate"), () -> probe.echo(echo.host(), echo.port(), echoSize));
        }
        int every = args.integer("report-every-s");
        if (every > 0) {
            ticks.scheduleAtFixedRate(this::report, every, every, TimeUnit.SECONDS);
        }
        System.out.printf("demo-client: http=%s (%s/s) echo=%s (%s/s), connect timeout %d ms, read timeout %d ms, "
                        + "metrics on :%d/metrics%n", http, args.string("rate"), echo, args.string("echo-rate"),
                args.integer("connect-timeout-ms"), args.integer("read-timeout-ms"), metricsServer.port());
    }

    int metricsPort() {
        return metricsServer.port();
    }

    private void schedule(String target, double rate, Supplier<Probe.Result> call) {
        if (rate <= 0) {
            return;
        }
        for (Outcome o : Outcome.values()) {
            requests.labelValues(target, o.label()); // every series at zero before it moves
            duration.labelValues(target, o.label());
        }
        connectTime.labelValues(target);
        lastReport.put(target, new EnumMap<>(Outcome.class));
        CounterDataPoint skips = skipped.labelValues(target);
        GaugeDataPoint running = inFlight.labelValues(target);
        int max = args.integer("max-in-flight");
        AtomicInteger count = new AtomicInteger();
        long period = Math.max(1, Math.round(1e9 / rate));
        ticks.scheduleAtFixedRate(() -> {
            if (count.incrementAndGet() > max) {
                count.decrementAndGet();
                skips.inc();
                return;
            }
            running.inc();
            workers.execute(() -> {
                try {
                    record(target, call.get());
                } finally {
                    running.dec();
                    count.decrementAndGet();
                }
            });
        }, 0, period, TimeUnit.NANOSECONDS);
    }

    void record(String target, Probe.Result r) {
        requests.labelValues(target, r.outcome().label()).inc();
        duration.labelValues(target, r.outcome().label()).observe(Unit.nanosToSeconds(r.totalNanos()));
        if (r.connectNanos() >= 0) {
            connectTime.labelValues(target).observe(Unit.nanosToSeconds(r.connectNanos()));
        }
        if (r.outcome() == Outcome.ERROR) {
            lastError.put(target, r.detail()); // reported with the next summary line, not once per request
        }
    }

    /** One line per target with what happened since the last report, for `docker-compose logs demo-client`. */
    private void report() {
        for (String target : lastReport.keySet()) {
            Map<Outcome, Long> now = new EnumMap<>(Outcome.class);
            StringBuilder sb = new StringBuilder();
            long total = 0;
            for (Outcome o : Outcome.values()) {
                long v = requests.labelValues(target, o.label()).getLongValue();
                now.put(o, v);
                long delta = v - lastReport.get(target).getOrDefault(o, 0L);
                total += delta;
                if (delta > 0) {
                    sb.append(' ').append(o.label()).append('=').append(delta);
                }
            }
            lastReport.put(target, now);
            String error = lastError.remove(target);
            if (error != null) {
                sb.append(" (last error: ").append(error).append(')');
            }
            if (total > 0) {
                System.out.println("demo-client: " + target + ":" + sb);
            }
        }
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        workers.shutdownNow();
        if (metricsServer != null) {
            metricsServer.close();
        }
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, "demo-client-" + name);
        t.setDaemon(true);
        return t;
    }
}
