import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Bulk throughput over TLS through chaos-proxy with its TLS reader on (a tls_aware proxy) and off (a plain proxy),
 * and direct for reference: a JDK TLS server sends BYTES per connection, a JDK client (the version pinned) reads
 * them to EOF. The paths alternate in every round; the median of the rounds is reported. Run by bench/tls-bulk.sh.
 *
 * With the chaos-proxy process id, also the proxy's CPU time per GB on each proxied path (from /proc/PID/stat,
 * summed over all rounds): steadier than throughput on a shared machine, where the client's and server's own
 * threads compete for the same cores.
 *
 * Usage: java bench/TlsBulk.java KEYSTORE.p12 API_PORT [MIB [ROUNDS [PROTOCOL [PROXY_PID]]]]
 */
public class TlsBulk {
    static final char[] PASSWORD = "changeit".toCharArray();

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        int apiPort = Integer.parseInt(args[1]);
        long bytes = (args.length > 2 ? Long.parseLong(args[2]) : 256) * 1024 * 1024;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        String protocol = args.length > 4 ? args[4] : "TLSv1.3";
        long pid = args.length > 5 ? Long.parseLong(args[5]) : -1;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext clientContext = SSLContext.getInstance(protocol);
        clientContext.init(null, tmf.getTrustManagers(), null);

        SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> serve(server, bytes), "tls-bulk-server");
        acceptor.setDaemon(true);
        acceptor.start();
        int upstream = server.getLocalPort();

        HttpClient http = HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + apiPort;
        Map<String, Integer> paths = new LinkedHashMap<>();
        paths.put("direct", upstream);
        paths.put("proxy, reader off", createProxy(http, api, "tls-bulk-plain", upstream, false));
        paths.put("proxy, tls_aware (reader on)", createProxy(http, api, "tls-bulk-aware", upstream, true));

        for (String path : paths.keySet()) {
            receive(clientContext, paths.get(path), 32L * 1024 * 1024); // warm-up: JIT, TLS code paths
        }
        Map<String, List<Double>> mbps = new LinkedHashMap<>();
        Map<String, long[]> cpuTicks = new LinkedHashMap<>();
        paths.keySet().forEach(p -> {
            mbps.put(p, new ArrayList<>());
            cpuTicks.put(p, new long[1]);
        });
        for (int r = 0; r < rounds; r++) {
            List<String> order = new ArrayList<>(paths.keySet());
            if (r % 2 == 1) {
                java.util.Collections.reverse(order); // alternate which path goes first
            }
            StringBuilder line = new StringBuilder("round " + (r + 1) + ":");
            for (String p : order) {
                long before = cpuTicks(pid);
                double v = receive(clientContext, paths.get(p), bytes);
                cpuTicks.get(p)[0] += cpuTicks(pid) - before;
                mbps.get(p).add(v);
                line.append(String.format("  %s %.0f MB/s", p, v));
            }
            System.out.println(line);
        }
        System.out.printf("%n%s, %d MiB per connection, %d rounds, median MB/s (1 MB = 10^6 bytes):%n", protocol,
                bytes >> 20, rounds);
        double off = median(mbps.get("proxy, reader off"));
        double gb = bytes * (double) rounds / 1e9;
        double offCpu = cpuTicks.get("proxy, reader off")[0] / 100.0 / gb;
        System.out.println("| path | median MB/s | vs reader off | proxy CPU s per GB | vs reader off |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String p : paths.keySet()) {
            double m = median(mbps.get(p));
            double cpu = cpuTicks.get(p)[0] / 100.0 / gb;
            boolean proxied = p.startsWith("proxy");
            System.out.printf("| %s | %.0f | %s | %s | %s |%n", p, m,
                    proxied ? String.format("%+.1f %%", (m / off - 1) * 100) : "",
                    proxied && pid > 0 ? String.format("%.3f", cpu) : "",
                    proxied && pid > 0 ? String.format("%+.1f %%", (cpu / offCpu - 1) * 100) : "");
        }
        for (String name : List.of("tls-bulk-plain", "tls-bulk-aware")) {
            http.send(HttpRequest.newBuilder(URI.create(api + "/proxies/" + name)).DELETE().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        server.close();
    }

    /** utime + stime of a process in clock ticks (USER_HZ, 100 on Linux), or 0 without a pid. */
    static long cpuTicks(long pid) throws Exception {
        if (pid <= 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static int createProxy(HttpClient http, String api, String name, int upstream, boolean tlsAware)
            throws Exception {
        String body = "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + upstream
                + "\"" + (tlsAware ? ",\"tls_aware\":true" : "") + "}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/proxies"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("creating " + name + ": " + r.statusCode() + " " + r.body());
        }
        String listen = r.body().replaceAll(".*\"listen\":\"([^\"]+)\".*", "$1");
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    /** Sends {@code bytes} to every client, then closes (the client reads to EOF). */
    static void serve(SSLServerSocket server, long bytes) {
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                long want = readLong(in);
                OutputStream out = s.getOutputStream();
                for (long sent = 0; sent < want; sent += chunk.length) {
                    out.write(chunk, 0, (int) Math.min(chunk.length, want - sent));
                }
                out.flush();
            } catch (Exception e) {
                if (!server.isClosed()) {
                    System.err.println("server: " + e);
                }
            }
        }
    }

    static long readLong(InputStream in) throws Exception {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("short request");
            }
            v = (v << 8) | b;
        }
        return v;
    }

    /** One connection: asks for {@code bytes}, reads them to EOF; MB/s from the first byte asked to the last. */
    static double receive(SSLContext context, int port, long bytes) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            s.startHandshake();
            long start = System.nanoTime();
            OutputStream out = s.getOutputStream();
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bytes >>> (8 * i)) & 0xff);
            }
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long got = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                got += n;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (got != bytes) {
                throw new IllegalStateException("got " + got + " of " + bytes + " bytes on port " + port);
            }
            return bytes / seconds / 1e6;
        }
    }

    static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
