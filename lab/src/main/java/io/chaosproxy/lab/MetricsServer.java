package io.chaosproxy.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * Serves {@code GET /metrics} (a Prometheus client registry in the text format 0.0.4) and {@code GET /health} on a
 * port of its own.
 */
final class MetricsServer implements AutoCloseable {
    /** Plain text 0.0.4 whatever the scraper asks for, no created timestamps: the series Prometheus has always seen. */
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

    private final HttpServer server;

    MetricsServer(String host, int port, PrometheusRegistry registry) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", ex -> reply(ex, 200, TEXT.getContentType(), render(registry)));
        server.createContext("/health", ex -> reply(ex, 200, "text/plain",
                "ok\n".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/", ex -> reply(ex, 404, "text/plain",
                "try /metrics\n".getBytes(StandardCharsets.UTF_8)));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Latency buckets from 0.5 ms to 30 s, with bounds at 1 s and 3 s where SYN retransmissions land. */
    static double[] latencyBuckets() {
        return new double[] {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3,
                5, 10, 30};
    }

    /** Everything in the registry, in the Prometheus text format. */
    static byte[] render(PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        TEXT.write(out, registry.scrape());
        return out.toByteArray();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
