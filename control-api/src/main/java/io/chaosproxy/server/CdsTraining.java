package io.chaosproxy.server;

import io.chaosproxy.demo.DemoUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run of {@code --cds-training}: what a user's first minute does, once, so that a JVM started with
 * {@code -XX:ArchiveClassesAtExit=chaos-proxy.jsa} writes every class it needed into a class-data archive, and
 * later starts with {@code -XX:SharedArchiveFile=chaos-proxy.jsa} map them instead of loading and verifying them
 * again. It calls the API's common routes over plain HTTP/1.1 (no HTTP client library, whose classes the server
 * never uses), creates a proxy in front of a demo upstream, sends connections through it with and without a
 * toxic, and deletes it. A step that fails is skipped and reported (the run then exits 1): the archive is still
 * written, but a failing step means something is wrong with this server.
 */
final class CdsTraining {
    private static final String PROXY = "cds-training";
    private static final int CONNECTIONS = 200;

    private final InetSocketAddress api;
    private final String token;
    private final List<String> failures = new ArrayList<>();

    private CdsTraining(InetSocketAddress api, String token) {
        this.api = api;
        this.token = token;
    }

    /** Runs the exercise against {@code server}; returns the steps that failed, each in a line (none normally). */
    static List<String> exercise(ChaosProxyServer server, String apiToken) {
        InetSocketAddress bound = server.apiAddress();
        InetAddress host = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                : bound.getAddress();
        CdsTraining training = new CdsTraining(new InetSocketAddress(host, bound.getPort()), apiToken);
        try (DemoUpstream upstream = new DemoUpstream(server.engine().transport().group(),
                server.engine().transport().serverChannelClass())) {
            training.run(upstream.port());
        }
        return training.failures;
    }

    private void run(int upstreamPort) {
        expect("GET", "/version", null, 200);
        expect("GET", "/capabilities", null, 200);
        expect("GET", "/toxic-types", null, 200);
        expect("GET", "/proxies", null, 200);
        String created = expect("POST", "/proxies", "{\"name\":\"" + PROXY + "\",\"listen\":\"127.0.0.1:0\","
                + "\"upstream\":\"127.0.0.1:" + upstreamPort + "\"}", 201);
        int listenPort = created == null ? -1 : listenPort(created);
        if (listenPort > 0) {
            through(listenPort, CONNECTIONS);
            expect("POST", "/proxies/" + PROXY + "/toxics",
                    "{\"name\":\"slow\",\"type\":\"latency\",\"attributes\":{\"latency\":1,\"jitter\":0}}", 200);
            through(listenPort, 5);
            expect("GET", "/proxies/" + PROXY + "/toxics", null, 200);
            expect("DELETE", "/proxies/" + PROXY + "/toxics/slow", null, 204);
            expect("GET", "/proxies/" + PROXY + "/connections", null, 200);
            expect("POST", "/proxies/" + PROXY, "{\"enabled\":false}", 200);
            expect("DELETE", "/proxies/" + PROXY, null, 204);
        }
        expect("GET", "/scenarios", null, 200);
        expect("GET", "/metrics", null, 200);
        expect("GET", "/ui", null, 200);
        expect("GET", "/no-such-route", null, 404);
    }

    /** The port of {@code "listen":"127.0.0.1:PORT"} in a created proxy's JSON. */
    private static int listenPort(String json) {
        int at = json.indexOf("\"listen\":\"");
        if (at < 0) {
            return -1;
        }
        int start = json.indexOf(':', at + "\"listen\":\"".length()) + 1;
        int end = json.indexOf('"', start);
        try {
            return Integer.parseInt(json.substring(start, end));
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** {@code n} HTTP requests through the proxy, one new connection each. */
    private void through(int port, int n) {
        for (int i = 0; i < n; i++) {
            String answer = exchange(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            if (answer == null || !answer.startsWith("HTTP/1.1 200")) {
                fail("request " + (i + 1) + " through the proxy: " + firstLine(answer));
                return;
            }
        }
    }

    /** One API call; returns the response's body, or null (and counts a failure) on another status. */
    private String expect(String method, String path, String body, int status) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + content.length + "\r\n\r\n" + (body == null ? "" : body);
        String answer = exchange(api, request);
        if (answer == null || !answer.startsWith("HTTP/1.1 " + status + " ")) {
            fail(method + " " + path + ": " + firstLine(answer));
            return null;
        }
        int split = answer.indexOf("\r\n\r\n");
        return split < 0 ? "" : answer.substring(split + 4);
    }

    /** Writes a request, reads the answer to the end (every request says Connection: close); null on an error. */
    private static String exchange(InetSocketAddress to, String request) {
        try (Socket s = new Socket()) {
            s.connect(to, 5_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            in.transferTo(answer);
            return answer.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    private static String firstLine(String answer) {
        if (answer == null) {
            return "no answer";
        }
        int end = answer.indexOf("\r\n");
        return end < 0 ? answer : answer.substring(0, end);
    }

    private void fail(String what) {
        failures.add(what);
    }
}
