package io.chaosproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server run out of file descriptors, for real: chaos-proxy in a child process with {@code ulimit -n 512},
 * then more proxied connections than it can hold. While at the limit the API answers (200, or 503 from its reserve
 * of descriptors), never hangs; the log says accepts are paused, once per interval; no event-loop thread dies; and
 * once the clients leave, the API and the proxy serve again by themselves.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FdExhaustionTest {
    private static final int FD_LIMIT = 512;
    /** Each proxied connection takes two descriptors (client and server leg): well past the limit. */
    private static final int CLIENTS = 400;

    private final List<Socket> clients = new ArrayList<>();
    private Process server;
    private Upstream upstream;

    @AfterEach
    void stop() throws Exception {
        closeClients();
        if (server != null) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @ParameterizedTest(name = "transport {0}")
    @ValueSource(strings = {"auto", "epoll", "nio"})
    void theServerSurvivesRunningOutOfFileDescriptorsAndRecoversByItself(String transport, @TempDir Path dir)
            throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "needs ulimit (Linux)");
        Path log = dir.resolve("server.log");
        int api = startServer(transport, log);
        upstream = new Upstream();
        int proxy = createProxy(api, upstream.port());
        assertThat(echoThrough(proxy)).isTrue();

        for (int i = 0; i < CLIENTS; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy), 2000); // the backlog takes it
            clients.add(s);
        }
        awaitDescriptorsInUse(FD_LIMIT - 16);
        // A few idle clients of the API as well (fewer than any API connection cap): its accepts fail now too.
        for (int i = 0; i < 20; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), api), 2000);
            clients.add(s);
        }

        for (int i = 0; i < 3; i++) {
            int status = status(api, "/version");
            System.out.println(transport + ": GET /version at the descriptor limit: " + status);
            assertThat(status).as("an answer, not a hang; log:\n%s", Files.readString(log)).isIn(200, 503);
        }

        long start = System.nanoTime();
        closeClients();
        long deadline = start + TimeUnit.SECONDS.toNanos(15);
        boolean recovered = false;
        while (!recovered && System.nanoTime() < deadline) {
            recovered = status(api, "/version") == 200 && echoThrough(proxy);
            if (!recovered) {
                Thread.sleep(50);
            }
        }
        long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.println(transport + ": API and proxy serve again " + recoveryMillis + " ms after the clients left");
        assertThat(recovered).as("API and proxy serve again within 15 s").isTrue();

        awaitLog(log, "accepting connections on proxy listeners failed");
        String metrics = body(api, "/metrics");
        assertThat(metrics).contains("chaosproxy_event_loop_failures_total 0.0");
        String text = Files.readString(log);
        assertThat(text).doesNotContain("Exception in thread").doesNotContain("event-loop thread")
                .doesNotContain("ZoneRulesProvider");
        long warnings = text.lines().filter(l -> l.contains("accepting connections on")).count();
        System.out.println(transport + ": accept-failure log lines: " + warnings + ", log size " + text.length()
                + " bytes");
        assertThat(warnings).as("rate-limited: one per listener kind per 10 s").isBetween(1L, 6L);
        assertThat(text.length()).isLessThan(20_000);
    }

    private int startServer(String transport, Path log) throws IOException, InterruptedException {
        String javaBinary = new File(System.getProperty("java.home"), "bin/java").getPath();
        server = new ProcessBuilder("bash", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$0\" \"$@\"", javaBinary, "-cp",
                jarredClassPath(log.getParent()), Main.class.getName(), "--host", "127.0.0.1", "--port", "0",
                "--no-packet-engine", "--transport", transport)
                .redirectError(log.toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String first = out.readLine();
        assertThat(first).as("the server's first line (log: %s)", log).isNotNull();
        Matcher m = Pattern.compile("control API on http://[^:]+:(\\d+) ").matcher(first);
        assertThat(m.find()).as(first).isTrue();
        Thread drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ended) {
                // the server stopped
            }
        }, "server-stdout");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
    }

    /**
     * The test class path with its class directories packed into a jar, as the shipped server runs: a class loaded
     * from an open jar needs no new descriptor, one loaded from a directory needs one (and fails at the limit).
     */
    private static String jarredClassPath(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        Path jar = dir.resolve("classes.jar");
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path root = Path.of(entry);
                if (!Files.isDirectory(root)) {
                    entries.add(entry);
                    continue;
                }
                try (var files = Files.walk(root)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                        String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                        if (seen.add(name)) {
                            out.putNextEntry(new java.util.jar.JarEntry(name));
                            Files.copy(f, out);
                            out.closeEntry();
                        }
                    }
                }
            }
        }
        entries.add(0, jar.toString());
        return String.join(File.pathSeparator, entries);
    }

    private static int createProxy(int api, int upstreamPort) throws IOException {
        String body = "{\"name\":\"p\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + upstreamPort + "\"}";
        String response = exchange(api, "POST /proxies HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);
        Matcher m = Pattern.compile("\"listen\"\\s*:\\s*\"[^\"]*:(\\d+)\"").matcher(response);
        assertThat(m.find()).as(response).isTrue();
        return Integer.parseInt(m.group(1));
    }

    /** The status of a GET, or -1 when no answer came within 5 s (a hang). */
    private static int status(int api, String path) throws IOException {
        String response = exchange(api, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return response.startsWith("HTTP/1.1 ") ? Integer.parseInt(response.substring(9, 12)) : -1;
    }

    private static String body(int api, String path) throws IOException {
        String response = exchange(api, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    private static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException | java.net.SocketException noAnswer) {
            System.out.println("no answer from :" + port + ": " + noAnswer);
            return "";
        }
    }

    private static boolean echoThrough(int proxy) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy), 1000);
            s.setSoTimeout(1000);
            s.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("ping");
        } catch (IOException e) {
            return false;
        }
    }

    /** Waits until the server holds about as many descriptors as it may (the clients queue in its backlog). */
    private void awaitDescriptorsInUse(int atLeast) throws Exception {
        Path fds = Path.of("/proc", Long.toString(server.pid()), "fd");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long inUse = 0;
        while (System.nanoTime() < deadline) {
            try (var list = Files.list(fds)) {
                inUse = list.count();
            }
            if (inUse >= atLeast) {
                System.out.println("server holds " + inUse + " descriptors");
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the server never reached its descriptor limit: " + inUse + " in use");
    }

    private static void awaitLog(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the log never said \"" + text + "\":\n" + Files.readString(log));
    }

    private void closeClients() {
        for (Socket s : clients) {
            try {
                s.close();
            } catch (IOException e) {
                // closed either way
            }
        }
        clients.clear();
    }

    /** Echoes each connection and closes it at the client's FIN; one small thread per connection. */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = java.util.Collections.synchronizedList(new ArrayList<>());

        Upstream() throws IOException {
            Thread t = new Thread(this::acceptEach, "upstream-accept");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptEach() {
            while (!socket.isClosed()) {
                try {
                    Socket c = socket.accept();
                    accepted.add(c);
                    Thread t = new Thread(null, () -> echo(c), "upstream-echo", 128 * 1024);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void echo(Socket c) {
            try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // reset or closed: done with it
            } finally {
                accepted.remove(c);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (accepted) {
                for (Socket c : accepted) {
                    c.close();
                }
            }
        }
    }
}
