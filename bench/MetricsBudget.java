import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * /metrics with many used proxies: creates N proxies on a running chaos-proxy (API at the given port), sends one
 * echoed connection through each, then prints the size of /metrics, its series count and the scrape time; then
 * deletes every proxy and prints what is left. Run by bench/metrics-budget.sh.
 *
 * <p>Usage: java bench/MetricsBudget.java API_PORT [PROXIES]
 */
public final class MetricsBudget {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static String api;

    public static void main(String[] args) throws Exception {
        api = "http://127.0.0.1:" + args[0];
        int proxies = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        Scrape baseline = scrape();
        try (ServerSocket upstream = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> echoEach(upstream), "echo");
            echo.setDaemon(true);
            echo.start();
            long t0 = System.nanoTime();
            for (int i = 0; i < proxies; i++) {
                String body = "{\"name\":\"p" + i + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:"
                        + upstream.getLocalPort() + "\"}";
                HttpResponse<String> r = send("POST", "/proxies", body);
                if (r.statusCode() != 201) {
                    throw new IllegalStateException("create p" + i + ": " + r.statusCode() + " " + r.body());
                }
                Matcher m = Pattern.compile("\"listen\"\\s*:\\s*\"[^\"]*:(\\d+)\"").matcher(r.body());
                if (!m.find()) {
                    throw new IllegalStateException("no listen port in " + r.body());
                }
                oneConnection(Integer.parseInt(m.group(1)));
            }
            System.out.printf("%d proxies created, one echoed connection each, in %.1f s%n", proxies,
                    (System.nanoTime() - t0) / 1e9);
        }
        Thread.sleep(500); // closing samples and close events are recorded on the event loops
        Scrape used = scrape();
        System.out.printf("before any proxy:      /metrics %,d bytes, %,d series%n", baseline.bytes, baseline.series);
        System.out.printf("%,d used proxies:    /metrics %,d bytes, %,d series (%,d tagged with a proxy, %.1f per proxy),"
                + " scrape median %.0f ms, max %.0f ms%n", proxies, used.bytes, used.series, used.proxySeries,
                used.proxySeries / (double) proxies, used.medianMs, used.maxMs);
        for (int i = 0; i < proxies; i++) {
            HttpResponse<String> r = send("DELETE", "/proxies/p" + i, null);
            if (r.statusCode() != 204) {
                throw new IllegalStateException("delete p" + i + ": " + r.statusCode() + " " + r.body());
            }
        }
        Scrape deleted = scrape();
        System.out.printf("all proxies deleted:   /metrics %,d bytes, %,d series (%,d tagged with a proxy)%n",
                deleted.bytes, deleted.series, deleted.proxySeries);
    }

    private record Scrape(long bytes, long series, long proxySeries, double medianMs, double maxMs) {
    }

    /** Five scrapes: the last body's size and series, the median and max time. */
    private static Scrape scrape() throws Exception {
        List<Double> ms = new ArrayList<>();
        String body = "";
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            body = send("GET", "/metrics", null).body();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        long series = body.lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
        long proxySeries = body.lines().filter(l -> !l.startsWith("#") && l.contains("proxy=\"")).count();
        return new Scrape(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, series, proxySeries,
                ms.get(2), ms.get(4));
    }

    private static void oneConnection(int port) throws IOException {
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            c.setSoTimeout(5000);
            c.getOutputStream().write("ping".getBytes());
            if (c.getInputStream().readNBytes(4).length != 4) {
                throw new IOException("no echo through port " + port);
            }
            c.shutdownOutput();
            c.getInputStream().read();
        }
    }

    private static void echoEach(ServerSocket upstream) {
        while (!upstream.isClosed()) {
            try (Socket s = upstream.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // next one
            }
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(api + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
