package io.chaosproxy.lab;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.java11.instrument.binder.jdk.MicrometerHttpClient;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lab's application under test: the stack real services run, reacting to chaos-proxy's faults. It queries
 * PostgreSQL through a HikariCP pool (PostgreSQL JDBC driver) and calls the demo HTTP server with the JDK HTTP client
 * guarded by a Resilience4j retry around a circuit breaker, all through chaos-proxy, and exports what they saw
 * through Micrometer's standard binders (HikariCP's tracker, MicrometerHttpClient, resilience4j-micrometer, JVM
 * threads) with the Prometheus registry: the metrics the "Application under test" dashboard reads.
 */
final class AppUnderTest implements AutoCloseable {
    private final Args args;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tick"));
    /** Bounded: a tick that finds every worker busy is dropped, so a fault never piles up threads. */
    private final ExecutorService workers = new ThreadPoolExecutor(0, 32, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> daemon(r, "app-work"));
    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();
    private final AtomicLong queries = new AtomicLong();
    private HikariDataSource pool;
    private MetricsServer metricsServer;

    AppUnderTest(Args args) {
        this.args = args;
    }

    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("application", "lab-app");
        d.put("db-url", "jdbc:postgresql://chaos-proxy:5432/postgres");
        d.put("db-user", "postgres");
        d.put("db-password", "lab");
        d.put("db-rate", "5");
        d.put("db-pool-size", "4");
        d.put("db-connection-timeout-ms", "2000");
        d.put("db-connection-uses", "10");
        d.put("http", "chaos-proxy:8080");
        d.put("http-rate", "5");
        d.put("http-timeout-ms", "2000");
        d.put("metrics-host", "0.0.0.0");
        d.put("metrics-port", "9100");
        d.put("report-every-s", "10");
        return d;
    }

    public static void main(String[] argv) throws Exception {
        AppUnderTest app = new AppUnderTest(new Args("app", argv, defaults()));
        app.start();
        Runtime.getRuntime().addShutdownHook(new Thread(app::close));
        Thread.currentThread().join();
    }

    void start() throws IOException {
        registry.config().commonTags("application", args.string("application"));
        // What Spring Boot's management.metrics.distribution.percentiles-histogram does: buckets, so that a
        // dashboard can show p50/p99 across instances.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals("http.client.requests") || id.getName().equals("hikaricp.connections.acquire")) {
                    // Micrometer's default bucket range for timers: 1 ms to 30 s.
                    return DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config);
                }
                return config;
            }
        });
        new JvmThreadMetrics().bindTo(registry);
        metricsServer = new MetricsServer(args.string("metrics-host"), args.integer("metrics-port"),
                registry.getPrometheusRegistry());
        startDatabase();
        startHttp();
        int every = args.integer("report-every-s");
        if (every > 0) {
            ticks.scheduleAtFixedRate(this::report, every, every, TimeUnit.SECONDS);
        }
        System.out.printf("demo-app: %s (pool of %d, %s/s), http://%s (%s/s), metrics on :%d/metrics%n",
                args.string("db-url"), args.integer("db-pool-size"), args.string("db-rate"), args.string("http"),
                args.string("http-rate"), metricsServer.port());
    }

    // --- PostgreSQL through HikariCP ---------------------------------------------------------------------------

    private void startDatabase() {
        HikariConfig config = new HikariConfig();
        config.setPoolName("lab-db");
        config.setJdbcUrl(args.string("db-url"));
        config.setUsername(args.string("db-user"));
        config.setPassword(args.string("db-password"));
        config.setMaximumPoolSize(args.integer("db-pool-size"));
        config.setMinimumIdle(1);
        config.setConnectionTimeout(args.integer("db-connection-timeout-ms"));
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(-1); // start even while PostgreSQL is not up yet: the pool retries
        // The driver's own limits, so a dial into a SYN drop or a silent server ends instead of hanging a thread.
        config.addDataSourceProperty("connectTimeout", "3");
        config.addDataSourceProperty("socketTimeout", "5");
        config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        pool = new HikariDataSource(config);
        schedule(args.decimal("db-rate"), this::query);
    }

    /**
     * One query on a pooled connection. After {@code --db-connection-uses} queries a connection is retired (what a
     * short maxLifetime does, faster): the pool keeps dialling, so a connect-phase fault reaches it within seconds.
     */
    private void query() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
            count("db ok");
            if (queries.incrementAndGet() % args.integer("db-connection-uses") == 0) {
                pool.evictConnection(c);
            }
        } catch (SQLException e) {
            count("db " + e.getClass().getSimpleName());
        }
    }

    // --- the demo server through the JDK HTTP client, Resilience4j retry + circuit breaker ----------------------

    private void startHttp() {
        // Through an Observation, as Spring Boot does: the timer then carries an error tag naming the exception.
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(registry));
        HttpClient client = MicrometerHttpClient.instrumentationBuilder(HttpClient.newBuilder()
                        .connectTimeout(Duration.ofMillis(args.integer("http-timeout-ms"))).build(), registry)
                .observationRegistry(observations).uriMapper(request -> request.uri().getPath()).build();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED).slidingWindowSize(10)
                .minimumNumberOfCalls(5).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofSeconds(5)).permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true).build());
        RetryRegistry retries = RetryRegistry.of(RetryConfig.custom().maxAttempts(3)
                .waitDuration(Duration.ofMillis(200)).retryExceptions(IOException.class)
                .ignoreExceptions(CallNotPermittedException.class).build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
        CircuitBreaker breaker = breakers.circuitBreaker("demo-server");
        Retry retry = retries.retry("demo-server");
        URI uri = URI.create("http://" + args.address("http") + "/");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(args.integer("http-timeout-ms")))
                .build();
        // Retry outside the breaker: each attempt is a call the breaker counts, an open breaker is not retried.
        var guarded = Retry.decorateCheckedSupplier(retry, CircuitBreaker.decorateCheckedSupplier(breaker, () -> {
            HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            return r;
        }));
        schedule(args.decimal("http-rate"), () -> {
            try {
                guarded.get();
                count("http ok");
            } catch (CallNotPermittedException e) {
                count("http breaker open");
            } catch (Throwable e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                count("http " + e.getClass().getSimpleName());
            }
        });
    }

    // --- plumbing ------------------------------------------------------------------------------------------------

    private void schedule(double rate, Runnable work) {
        if (rate <= 0) {
            return;
        }
        long periodMicros = Math.max(1000, (long) (1_000_000 / rate));
        ticks.scheduleAtFixedRate(() -> {
            try {
                workers.execute(work);
            } catch (RejectedExecutionException busy) {
                count("skipped, every worker busy");
            }
        }, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void count(String what) {
        synchronized (counts) {
            counts.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private void report() {
        synchronized (counts) {
            System.out.println("demo-app: " + counts);
            counts.clear();
        }
    }

    int metricsPort() {
        return metricsServer.port();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        workers.shutdownNow();
        if (pool != null) {
            pool.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
