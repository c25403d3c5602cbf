package io.chaosproxy.lab;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The lab's server: an HTTP endpoint ({@code GET /?size=BYTES&think=MS}, one request per connection) and a raw
 * TCP echo (echoes until the client's EOF, then half-closes back). Each connection is watched from the server's
 * side and counted on /metrics:
 * <ul>
 *   <li>{@code demo_server_connections_accepted_total{listener}}, {@code demo_server_connections_active{listener}}</li>
 *   <li>{@code demo_server_requests_total{listener}}: HTTP responses written in full; echo sessions completed</li>
 *   <li>{@code demo_server_resets_total{listener, phase}}: an RST from the client side, while waiting for the
 *       request ({@code request}), writing the answer ({@code response}) or waiting for the client's FIN after it
 *       ({@code close}); {@code echo} for the echo listener</li>
 *   <li>{@code demo_server_half_open_total{listener, phase}}: the client went silent without a FIN for the idle
 *       timeout (a swallowed FIN, a black hole): connections the server had to give up on</li>
 *   <li>{@code demo_server_eof_early_total{listener}}: the client's EOF before a complete request</li>
 *   <li>{@code demo_server_client_wait_seconds{listener, phase}}: time spent waiting for the client: accept to the
 *       first byte of the request ({@code request}), the answer's end to the client's FIN ({@code close})</li>
 * </ul>
 */
public final class DemoServer implements AutoCloseable {
    static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("host", "0.0.0.0");
        d.put("http-port", "8080");
        d.put("echo-port", "9000");
        d.put("metrics-port", "9100");
        d.put("size", "4096");
        d.put("think-ms", "0");
        d.put("idle-timeout-ms", "5000");
        d.put("max-connections", "512");
        return d;
    }

    private static final int MAX_SIZE = 64 << 20;
    private static final int MAX_THINK_MS = 60_000;

    // Counters are named without _total: the client library adds it to the exposed series.
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter accepted = Counter.builder().name("demo_server_connections_accepted")
            .help("Connections accepted, by listener.")
            .labelNames("listener").register(registry);
    private final Gauge active = Gauge.builder().name("demo_server_connections_active")
            .help("Connections open now, by listener.")
            .labelNames("listener").register(registry);
    private final Counter rejected = Counter.builder().name("demo_server_connections_rejected")
            .help("Connections closed at once because max-connections were open.")
            .labelNames("listener").register(registry);
    private final Counter served = Counter.builder().name("demo_server_requests")
            .help("HTTP responses written in full; echo sessions completed (client EOF reached, everything echoed).")
            .labelNames("listener").register(registry);
    private final Counter resets = Counter.builder().name("demo_server_resets")
            .help("Connections reset by the client side, by the phase the server was in.")
            .labelNames("listener", "phase").register(registry);
    private final Counter halfOpen = Counter.builder().name("demo_server_half_open")
            .help("Connections where the client went silent without a FIN for the idle timeout, by phase.")
            .labelNames("listener", "phase").register(registry);
    private final Counter eofEarly = Counter.builder().name("demo_server_eof_early")
            .help("Client EOF before a complete request.")
            .labelNames("listener").register(registry);
    private final Histogram clientWait = Histogram.builder().name("demo_server_client_wait_seconds")
            .help("Time the server waited for the client: accept to the request's first byte (request), the "
                    + "answer's end to the client's FIN (close).")
            .classicOnly().classicUpperBounds(MetricsServer.latencyBuckets())
            .labelNames("listener", "phase").register(registry);

    private final Args args;
    private final int defaultSize;
    private final int defaultThink;
    private final int idleTimeoutMs;
    private final ThreadPoolExecutor pool;
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private MetricsServer metricsServer;
    private volatile boolean closed;

    DemoServer(Args args) {
        this.args = args;
        this.defaultSize = args.integer("size");
        this.defaultThink = args.integer("think-ms");
        this.idleTimeoutMs = args.integer("idle-timeout-ms");
        this.pool = new ThreadPoolExecutor(0, args.integer("max-connections"), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> DemoClient.daemon(r, "conn"));
        for (String l : new String[] {"http", "echo"}) {
            accepted.labelValues(l);
            active.labelValues(l);
            served.labelValues(l);
            eofEarly.labelValues(l);
        }
        for (String phase : new String[] {"request", "response", "close"}) {
            resets.labelValues("http", phase);
            halfOpen.labelValues("http", phase);
        }
        resets.labelValues("echo", "echo");
        halfOpen.labelValues("echo", "echo");
        clientWait.labelValues("http", "request");
        clientWait.labelValues("http", "close");
    }

    public static void main(String[] argv) throws Exception {
        DemoServer server;
        try {
            server = new DemoServer(new Args("server", argv, defaults()));
            server.start();
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.currentThread().join();
    }

    void start() throws IOException {
        String host = args.string("host");
        metricsServer = new MetricsServer(host, args.integer("metrics-port"), registry);
        int http = listen(host, args.integer("http-port"), "http", this::http);
        int echo = listen(host, args.integer("echo-port"), "echo", this::echo);
        System.out.printf("demo-server: http on :%d (default size %d B, think %d ms), echo on :%d, metrics on "
                + ":%d/metrics, idle timeout %d ms%n", http, defaultSize, defaultThink, echo, metricsServer.port(),
                idleTimeoutMs);
    }

    int port(String listener) {
        return listeners.get(listener.equals("http") ? 0 : 1).getLocalPort();
    }

    int metricsPort() {
        return metricsServer.port();
    }

    private interface Handler {
        void handle(Socket socket, long acceptedAt) throws IOException;
    }

    private int listen(String host, int port, String name, Handler handler) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(host, port), 256);
        listeners.add(ss);
        Thread t = new Thread(() -> acceptLoop(ss, name, handler), "demo-server-accept-" + name);
        t.setDaemon(true);
        t.start();
        return ss.getLocalPort();
    }

    private void acceptLoop(ServerSocket ss, String name, Handler handler) {
        while (!closed) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("demo-server: accept on " + name + " failed: " + e);
                    sleepQuietly(100);
                }
                continue;
            }
            long acceptedAt = System.nanoTime();
            accepted.labelValues(name).inc();
            try {
                pool.execute(() -> {
                    active.labelValues(name).inc();
                    try (s) {
                        s.setTcpNoDelay(true);
                        s.setSoTimeout(idleTimeoutMs);
                        handler.handle(s, acceptedAt);
                    } catch (IOException e) {
                        // Counted by the handler where it means something; the rest is noise for a demo.
                    } finally {
                        active.labelValues(name).dec();
                    }
                });
            } catch (RejectedExecutionException e) {
                rejected.labelValues(name).inc();
                closeQuietly(s);
            }
        }
    }

    /** One HTTP request per connection: read it, think, answer with Content-Length, half-close, await the FIN. */
    private void http(Socket s, long acceptedAt) throws IOException {
        InputStream in = s.getInputStream();
        String phase = "request";
        try {
            String head = readHead(in, acceptedAt);
            if (head == null) {
                return; // counted
            }
            int size = defaultSize;
            int think = defaultThink;
            String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
            String target = requestLine.length > 1 ? requestLine[1] : "/";
            int q = target.indexOf('?');
            if (q >= 0) {
                for (String kv : target.substring(q + 1).split("&")) {
                    String[] p = kv.split("=", 2);
                    if (p.length == 2 && p[0].equals("size")) {
                        size = clamp(p[1], size, MAX_SIZE);
                    } else if (p.length == 2 && p[0].equals("think")) {
                        think = clamp(p[1], think, MAX_THINK_MS);
                    }
                }
            }
            if (think > 0) {
                Thread.sleep(think);
            }
            phase = "response";
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[Math.min(size, 16384)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) ('a' + i % 26);
            }
            for (int left = size; left > 0; left -= chunk.length) {
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
            out.flush();
            served.labelValues("http").inc();
            s.shutdownOutput();
            phase = "close";
            long waitStart = System.nanoTime();
            try {
                drainToEof(in);
            } finally {
                clientWait.labelValues("http", "close").observe(Unit.nanosToSeconds(System.nanoTime() - waitStart));
            }
        } catch (SocketTimeoutException e) {
            halfOpen.labelValues("http", phase).inc();
        } catch (SocketException e) {
            if (isReset(e)) {
                resets.labelValues("http", phase).inc();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The request head up to the blank line, or null after counting an early EOF. */
    private String readHead(InputStream in, long acceptedAt) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int c = in.read();
        clientWait.labelValues("http", "request").observe(Unit.nanosToSeconds(System.nanoTime() - acceptedAt));
        int matched = 0;
        for (; c >= 0; c = in.read()) {
            head.write(c);
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 16384) {
                throw new IOException("request head over 16 KiB");
            }
        }
        eofEarly.labelValues("http").inc();
        return null;
    }

    /** Echoes until the client's EOF, then half-closes back (so half-close is visible through the proxy). */
    private void echo(Socket s, long acceptedAt) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[16384];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
            out.flush();
            s.shutdownOutput();
            served.labelValues("echo").inc();
        } catch (SocketTimeoutException e) {
            halfOpen.labelValues("echo", "echo").inc();
        } catch (SocketException e) {
            if (isReset(e)) {
                resets.labelValues("echo", "echo").inc();
            }
        }
    }

    private static void drainToEof(InputStream in) throws IOException {
        byte[] buf = new byte[4096];
        while (in.read(buf) >= 0) {
            // a client may send more (pipelining, garbage): ignore until its FIN
        }
    }

    static boolean isReset(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return m.contains("reset") || m.contains("broken pipe");
    }

    private static int clamp(String v, int fallback, int max) {
        try {
            return Math.max(0, Math.min(max, Integer.parseInt(v)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ServerSocket ss : listeners) {
            try {
                ss.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
        if (metricsServer != null) {
            metricsServer.close();
        }
    }
}
