import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures how faithfully a running chaos-proxy applies its {@code latency} and {@code bandwidth} toxics. Starts
 * nothing but a loopback echo server (in this JVM); creates a proxy and toxics through the control API; times
 * sequential round trips of small messages straight to the echo server (the baseline), through the proxy with no
 * toxic, and through it with a latency toxic; times bulk transfers through a bandwidth toxic. No dependencies:
 *
 * <pre>java bench/Fidelity.java --api 127.0.0.1:8474 [--latency 100,10] [--round-trips 1000]
 *     [--streams downstream,upstream] [--bandwidth 10000:20000000,100:300000] [--message 64] [--floor 200]
 *     [--cold 1000] [--dump DIR]</pre>
 *
 * <p>Latency semantics (as Toxiproxy's): a latency toxic delays every chunk of its direction by {@code latency} ms
 * from the moment the proxy read it. A {@code downstream} toxic delays the echo (server to client), an
 * {@code upstream} one the request (client to server); either way one round trip gains exactly {@code latency}
 * ms. The error of one round trip is {@code rtt - latency - median(baseline rtt)}: it includes what the proxy
 * itself adds. The bandwidth rate is {@code bytes / (last byte received - first byte sent)}, the toxic on the
 * echo (downstream) direction, the request unthrottled. The "floor" lines ({@code stream=floor}) time a sleep of
 * {@code latency} ms in this JVM followed by a direct round trip, taken between the first stream's round trips (one
 * every {@code round-trips / floor}): the wake-up and cold-cache cost of this machine under the same load, which
 * bounds what any proxy's timer can achieve here. The "cold" line ({@code --cold N}, {@code stream=cold}) times N
 * round trips through the smallest latency before any warm-up: the first seconds after the proxy started, JIT still
 * compiling. Every other latency figure comes after a warm-up and a pause after each control request (see
 * {@link #settle}). Run it compiled and with C1 only (as bench/fidelity.sh does): the source launcher's javac and
 * this JVM's own C2 compiles otherwise take the cores the measured round trips need.
 *
 * <p>Output: one line per figure, {@code key=value} pairs after a label, for bench/fidelity.sh to read.
 */
public final class Fidelity {
    private static final String HOST = "127.0.0.1";
    /** Round trips through a 1 ms latency toxic before any latency figure counts (see the warm-up). */
    private static final int WARM_UP_ROUND_TRIPS = 4000;
    /** Round trips measured before the warm-up ({@code --cold}); 0: none. */
    private static int cold;
    /** Where to write every round trip's start and time (one file per figure), for tracing the tail; null: nowhere. */
    private static String dumpDir;

    private final String api;
    private final int echoPort;

    private Fidelity(String api, int echoPort) {
        this.api = api;
        this.echoPort = echoPort;
    }

    public static void main(String[] args) throws Exception {
        String api = "127.0.0.1:8474";
        long[] latencies = {100, 10};
        int roundTrips = 1000;
        String[] streams = {"downstream", "upstream"};
        String bandwidth = "10000:20000000,100:300000";
        int message = 64;
        int floor = 200;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--api" -> api = v;
                case "--latency" -> latencies = v.isEmpty() ? new long[0]
                        : Arrays.stream(v.split(",")).mapToLong(Long::parseLong).toArray();
                case "--round-trips" -> roundTrips = Integer.parseInt(v);
                case "--streams" -> streams = v.split(",");
                case "--bandwidth" -> bandwidth = v;
                case "--message" -> message = Integer.parseInt(v);
                case "--floor" -> floor = Integer.parseInt(v);
                case "--dump" -> dumpDir = v;
                case "--cold" -> cold = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (ServerSocket echo = new ServerSocket()) {
            echo.bind(new InetSocketAddress(HOST, 0), 64);
            Thread acceptor = new Thread(() -> serveEcho(echo), "echo-accept");
            acceptor.setDaemon(true);
            acceptor.start();
            new Fidelity(api, echo.getLocalPort()).run(latencies, roundTrips, streams, bandwidth, message, floor);
        }
    }

    private void run(long[] latencies, int roundTrips, String[] streams, String bandwidth, int message,
            int floor) throws Exception {
        String proxy = "fidelity-" + ProcessHandle.current().pid();
        String body = http("POST", "/proxies", "{\"name\":\"" + proxy + "\",\"listen\":\"" + HOST
                + ":0\",\"upstream\":\"" + HOST + ":" + echoPort + "\"}", 201);
        int proxyPort = Integer.parseInt(field(body, "listen").replaceAll(".*:", ""));
        try {
            if (latencies.length > 0) {
                if (cold > 0) {
                    // Before any warm-up: what a user sees in the first seconds after start, while the proxy's JIT
                    // compiles the path (its compiler threads take the cores the event loop wakes on).
                    long coldLatency = Arrays.stream(latencies).min().getAsLong();
                    long coldBase = percentile(roundTrips(echoPort, 500, message), 50);
                    addToxic(proxy, "cold", "latency", "downstream", "{\"latency\":" + coldLatency + "}");
                    long[] rtt = roundTrips(proxyPort, cold, message);
                    http("DELETE", "/proxies/" + proxy + "/toxics/cold", null, 204);
                    report(coldLatency, "cold", rtt, coldBase);
                }
                // Warm up both paths and the proxy's JIT before any figure counts: plain, then through a 1 ms
                // latency toxic, long enough that the hold-and-release path is compiled by C2 (with 300 round trips
                // it was still compiling during the measured ones: perf sched showed the event loop waiting up to a
                // 4 ms scheduler tick behind a C2 compiler thread).
                roundTrips(echoPort, 500, message);
                roundTrips(proxyPort, 2000, message);
                addToxic(proxy, "warm", "latency", "downstream", "{\"latency\":1}");
                roundTrips(proxyPort, WARM_UP_ROUND_TRIPS, message);
                http("DELETE", "/proxies/" + proxy + "/toxics/warm", null, 204);
                settle();

                long[] direct = roundTrips(echoPort, roundTrips, message);
                long[] plain = roundTrips(proxyPort, roundTrips, message);
                long base = percentile(direct, 50);
                System.out.printf(Locale.ROOT, "baseline round_trips=%d direct_p50_us=%.1f proxy_p50_us=%.1f "
                        + "proxy_p99_us=%.1f%n", roundTrips, base / 1e3, percentile(plain, 50) / 1e3,
                        percentile(plain, 99) / 1e3);
                for (long latency : latencies) {
                    // The floor's samples are taken between the first stream's round trips, so both see the same
                    // load on the machine.
                    long[] floorTimes = new long[Math.min(floor, roundTrips)];
                    int every = floorTimes.length == 0 ? Integer.MAX_VALUE : roundTrips / floorTimes.length;
                    for (int si = 0; si < streams.length; si++) {
                        addToxic(proxy, "lat", "latency", streams[si], "{\"latency\":" + latency
                                + ",\"jitter\":0}");
                        settle();
                        long[] rtt = new long[roundTrips];
                        long[] started = new long[roundTrips];
                        try (Pinger viaProxy = new Pinger(proxyPort, message);
                                Pinger straight = new Pinger(echoPort, message)) {
                            for (int i = 0, f = 0; i < roundTrips; i++) {
                                started[i] = System.nanoTime();
                                rtt[i] = viaProxy.roundTrip();
                                if (si == 0 && f < floorTimes.length && i % every == every - 1) {
                                    floorTimes[f++] = straight.afterSleep(latency);
                                }
                            }
                        }
                        http("DELETE", "/proxies/" + proxy + "/toxics/lat", null, 204);
                        report(latency, streams[si], rtt, base);
                        dump("latency-" + latency + "-" + streams[si], started, rtt, latency * 1_000_000L + base);
                    }
                    if (floorTimes.length > 0 && streams.length > 0) {
                        report(latency, "floor", floorTimes, base);
                    }
                }
            }
            String[] rates = bandwidth.isEmpty() ? new String[0] : bandwidth.split(",");
            if (rates.length > 0) {
                // Warm up the bulk path and the bandwidth stage (JIT) before any rate counts.
                bulk(proxyPort, 20_000_000);
                addToxic(proxy, "bw", "bandwidth", "downstream", "{\"rate\":200000}");
                bulk(proxyPort, 20_000_000);
                http("DELETE", "/proxies/" + proxy + "/toxics/bw", null, 204);
            }
            for (String spec : rates) {
                String[] parts = spec.split(":");
                long rateKb = Long.parseLong(parts[0]);
                long bytes = Long.parseLong(parts[1]);
                addToxic(proxy, "bw", "bandwidth", "downstream", "{\"rate\":" + rateKb + "}");
                double seconds = bulk(proxyPort, bytes);
                http("DELETE", "/proxies/" + proxy + "/toxics/bw", null, 204);
                double rate = bytes / seconds / 1000;
                System.out.printf(Locale.ROOT, "bandwidth rate_kb=%d bytes=%d seconds=%.4f measured_kb=%.1f "
                        + "error_pct=%.3f%n", rateKb, bytes, seconds, rate, (rate / rateKb - 1) * 100);
            }
        } finally {
            http("DELETE", "/proxies/" + proxy, null, 204);
        }
    }

    /**
     * A pause after a control request before timing: the request itself makes the proxy's JIT compile (its HTTP path),
     * and on two cores a compiler thread delays the event loop's wake-ups by up to a scheduler tick.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(1000);
    }

    /** One line per round trip: its start (ns since the first), its error (ns); only with {@code --dump}. */
    private static void dump(String name, long[] started, long[] rtt, long added) throws IOException {
        if (dumpDir == null) {
            return;
        }
        StringBuilder out = new StringBuilder("# first start, System.nanoTime (CLOCK_MONOTONIC): ").append(started[0])
                .append('\n');
        for (int i = 0; i < rtt.length; i++) {
            out.append(started[i] - started[0]).append(' ').append(rtt[i] - added).append('\n');
        }
        java.nio.file.Files.writeString(java.nio.file.Path.of(dumpDir, name + ".txt"), out);
    }

    private static void report(long latencyMs, String stream, long[] rtt, long base) {
        long added = latencyMs * 1_000_000L + base;
        long[] error = new long[rtt.length];
        long[] absError = new long[rtt.length];
        for (int i = 0; i < rtt.length; i++) {
            error[i] = rtt[i] - added;
            absError[i] = Math.abs(error[i]);
        }
        Arrays.sort(error);
        System.out.printf(Locale.ROOT, "latency ms=%d stream=%s round_trips=%d err_min_ms=%.3f err_p50_ms=%.3f "
                + "err_p99_ms=%.3f err_max_ms=%.3f abs_p99_ms=%.3f abs_max_ms=%.3f%n", latencyMs, stream,
                rtt.length, error[0] / 1e6, percentile(error, 50) / 1e6, percentile(error, 99) / 1e6,
                error[error.length - 1] / 1e6, percentile(absError, 99) / 1e6,
                Arrays.stream(absError).max().orElse(0) / 1e6);
    }

    /** {@code n} sequential round trips of a {@code size}-byte message; their times in ns. */
    private static long[] roundTrips(int port, int n, int size) throws IOException {
        long[] times = new long[n];
        try (Pinger pinger = new Pinger(port, size)) {
            for (int i = 0; i < n; i++) {
                times[i] = pinger.roundTrip();
            }
        }
        return times;
    }

    /** One connection that sends a small message and waits for its echo, again and again. */
    private static final class Pinger implements AutoCloseable {
        private final Socket socket = new Socket();
        private final byte[] out;
        private final byte[] in;
        private final OutputStream os;
        private final InputStream is;
        private int count;

        Pinger(int port, int size) throws IOException {
            out = new byte[size];
            in = new byte[size];
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(HOST, port), 5000);
            socket.setSoTimeout(30_000);
            os = socket.getOutputStream();
            is = socket.getInputStream();
        }

        /** One round trip; its time in ns. */
        long roundTrip() throws IOException {
            long start = System.nanoTime();
            exchange();
            return System.nanoTime() - start;
        }

        /**
         * The machine's floor for any proxy: sleep {@code latencyMs} (as a proxy's timer would), then one round
         * trip; the time in ns, sleep included. What this adds beyond the latency is the cost of waking from a timer
         * and of a round trip through cold caches, which no proxy on this machine can avoid.
         */
        long afterSleep(long latencyMs) throws IOException {
            long start = System.nanoTime();
            long due = start + latencyMs * 1_000_000L;
            for (long left; (left = due - System.nanoTime()) > 0; ) {
                LockSupport.parkNanos(left);
            }
            exchange();
            return System.nanoTime() - start;
        }

        private void exchange() throws IOException {
            out[0] = (byte) ++count;
            os.write(out);
            if (is.readNBytes(in, 0, in.length) != in.length) {
                throw new IOException("EOF at round trip " + count);
            }
            if (in[0] != out[0]) {
                throw new IOException("echo out of order at round trip " + count);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Sends {@code bytes} and reads them back; seconds from the first byte sent to the last byte received. */
    private static double bulk(int port, long bytes) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 5000);
            s.setSoTimeout(120_000);
            OutputStream os = s.getOutputStream();
            InputStream is = s.getInputStream();
            long[] start = new long[1];
            Exception[] failed = new Exception[1];
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    start[0] = System.nanoTime();
                    for (long left = bytes; left > 0; ) {
                        int n = (int) Math.min(chunk.length, left);
                        os.write(chunk, 0, n);
                        left -= n;
                    }
                } catch (IOException e) {
                    failed[0] = e;
                }
            }, "bulk-writer");
            writer.start();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < bytes) {
                int n = is.read(buf);
                if (n < 0) {
                    throw new IOException("EOF after " + got + " of " + bytes + " bytes");
                }
                got += n;
            }
            long end = System.nanoTime();
            writer.join();
            if (failed[0] != null) {
                throw failed[0];
            }
            return (end - start[0]) / 1e9;
        }
    }

    private static void serveEcho(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                Thread t = new Thread(() -> echo(s), "echo");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private void addToxic(String proxy, String name, String type, String stream, String attributes)
            throws IOException {
        http("POST", "/proxies/" + proxy + "/toxics", "{\"name\":\"" + name + "\",\"type\":\"" + type
                + "\",\"stream\":\"" + stream + "\",\"attributes\":" + attributes + "}", 200);
    }

    /** One HTTP/1.1 request to the control API (Host: 127.0.0.1, as its guard wants); the body of the answer. */
    private String http(String method, String path, String body, int expect) throws IOException {
        String[] hp = api.split(":");
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket(hp[0], Integer.parseInt(hp[1]))) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            s.getInputStream().transferTo(answer);
            String text = answer.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int split = text.indexOf("\r\n\r\n");
            String content = split < 0 ? "" : text.substring(split + 4);
            if (status != expect) {
                throw new IOException(method + " " + path + " answered " + status + ": " + content);
            }
            return content;
        }
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    /** The p-th percentile (nearest rank) of {@code values}, which it sorts. */
    private static long percentile(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
