package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.chaosproxy.testing.HttpsDataServer;
import io.chaosproxy.testing.Payload;
import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.testing.TlsCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS toxics as two real HTTPS clients see them through the proxy, in front of the JDK's HTTPS server: the
 * JDK's {@link HttpsURLConnection} (its exceptions) and curl with {@code --cacert} (its exit code and message), each
 * with TLS 1.2 and 1.3 pinned; after removal, the body's SHA-256.
 */
class TlsClientsTest {
    private ProxyHarness harness;
    private HttpsDataServer server;
    private Proxy proxy;

    @BeforeEach
    void start() {
        harness = new ProxyHarness();
        server = new HttpsDataServer(TlsCertificates.get().serverContext());
        proxy = harness.proxy("https", server.port());
    }

    @AfterEach
    void stop() {
        harness.close();
        server.close();
    }

    private String url() {
        return "https://localhost:" + ProxyHarness.port(proxy) + "/data";
    }

    /** GET /data with a fresh client context (no session to resume), returns the body's SHA-256. */
    private String get(String protocol, int readTimeoutMillis) throws IOException {
        HttpsURLConnection c = (HttpsURLConnection) new URL(url()).openConnection();
        c.setSSLSocketFactory(TlsCertificates.get().clientContext(protocol).getSocketFactory());
        c.setConnectTimeout(5000);
        c.setReadTimeout(readTimeoutMillis);
        c.setRequestProperty("Connection", "close");
        try (InputStream in = c.getInputStream()) {
            return Payload.readToEof(in).sha256();
        } finally {
            c.disconnect();
        }
    }

    private static List<String> causes(Throwable t) {
        List<String> out = new ArrayList<>();
        for (Throwable c = t; c != null && out.size() < 6; c = c.getCause()) {
            out.add(c.toString());
        }
        return out;
    }

    private void removeAll() {
        for (var t : proxy.toxicsSnapshot()) {
            harness.registry().removeToxic("https", t.name());
        }
    }

    // ---- HttpsURLConnection ----

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void httpsUrlConnectionUnderEachToxic(String protocol) throws Exception {
        harness.toxic("https", "tls_hello_stall", "upstream", Map.of());
        long start = System.nanoTime();
        Throwable stalled = catchThrowable(() -> get(protocol, 1000));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("HttpsURLConnection %s tls_hello_stall: %s after %d ms%n", protocol, causes(stalled), took);
        assertThat(stalled).isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
        assertThat(took).isBetween(950L, 3000L);
        removeAll();

        harness.toxic("https", "tls_reset_after", "downstream", Map.of("step", "client_hello"));
        Throwable reset = catchThrowable(() -> get(protocol, 5000));
        System.out.printf("HttpsURLConnection %s tls_reset_after client_hello: %s%n", protocol, causes(reset));
        assertThat(reset).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        removeAll();

        harness.toxic("https", "tls_cut_flight", "downstream", Map.of("bytes", 600));
        Throwable cut = catchThrowable(() -> get(protocol, 5000));
        System.out.printf("HttpsURLConnection %s tls_cut_flight 600: %s%n", protocol, causes(cut));
        assertThat(cut).isInstanceOf(SSLHandshakeException.class).hasMessage("Remote host terminated the handshake");
        removeAll();

        harness.toxic("https", "tls_close_after_handshake", "downstream", Map.of());
        Throwable closed = catchThrowable(() -> get(protocol, 5000));
        System.out.printf("HttpsURLConnection %s tls_close_after_handshake: %s%n", protocol, causes(closed));
        assertThat(closed).isInstanceOf(SocketException.class).hasMessage("Unexpected end of file from server");
        removeAll();

        for (int i = 0; i < 3; i++) {
            get(protocol, 5000); // warm-up
        }
        long plain = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            assertThat(get(protocol, 5000)).isEqualTo(HttpsDataServer.sha256());
            plain = Math.min(plain, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        harness.toxic("https", "tls_handshake_delay", "downstream", Map.of("delay", 300));
        long slow = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            assertThat(get(protocol, 5000)).isEqualTo(HttpsDataServer.sha256());
            slow = Math.min(slow, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        int roundTrips = protocol.equals("TLSv1.3") ? 1 : 2;
        System.out.printf("HttpsURLConnection %s tls_handshake_delay 300: request %d ms -> %d ms%n", protocol, plain,
                slow);
        assertThat(slow).isGreaterThanOrEqualTo(roundTrips * 300L);
        assertThat(slow - plain).isBetween(roundTrips * 300L - 100, roundTrips * 300L + 250);
        removeAll();
        assertThat(get(protocol, 5000)).as("after removal: every byte intact").isEqualTo(HttpsDataServer.sha256());
    }

    // ---- curl --cacert ----

    /** What curl did: its exit code, its error message, and (on success) the body's SHA-256. */
    record Curl(int exit, String error, String sha256, double appConnectSeconds) {
    }

    private Curl curl(String protocol) throws Exception {
        Path out = Files.createTempFile("curl-body", ".bin");
        try {
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "2", "--cacert",
                    TlsCertificates.get().pem().toString(), "--resolve",
                    "localhost:" + ProxyHarness.port(proxy) + ":127.0.0.1", "-o", out.toString(), "-w",
                    "%{time_appconnect}"));
            command.addAll(protocol.equals("TLSv1.3") ? List.of("--tlsv1.3") : List.of("--tlsv1.2", "--tls-max",
                    "1.2"));
            command.add(url());
            Process p = new ProcessBuilder(command).start();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            String sha = p.exitValue() == 0 ? Payload.sha256(Files.readAllBytes(out)) : null;
            return new Curl(p.exitValue(), stderr, sha, stdout.isEmpty() ? 0 : Double.parseDouble(stdout));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean curlPresent() {
        try {
            return new ProcessBuilder("curl", "--version").start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void curlUnderEachToxic(String protocol) throws Exception {
        Assumptions.assumeTrue(curlPresent(), "curl is not installed");
        harness.toxic("https", "tls_hello_stall", "upstream", Map.of());
        Curl stalled = curl(protocol);
        System.out.printf("curl %s tls_hello_stall: exit %d: %s%n", protocol, stalled.exit(), stalled.error());
        assertThat(stalled.exit()).isEqualTo(28);
        assertThat(stalled.error()).matches("curl: \\(28\\) Connection timed out after 20\\d\\d milliseconds");
        removeAll();

        harness.toxic("https", "tls_reset_after", "downstream", Map.of("step", "client_hello"));
        Curl reset = curl(protocol);
        System.out.printf("curl %s tls_reset_after client_hello: exit %d: %s%n", protocol, reset.exit(),
                reset.error());
        assertThat(reset.exit()).isEqualTo(35);
        assertThat(reset.error()).isEqualTo("curl: (35) Recv failure: Connection reset by peer");
        removeAll();

        harness.toxic("https", "tls_cut_flight", "downstream", Map.of("bytes", 600));
        Curl cut = curl(protocol);
        System.out.printf("curl %s tls_cut_flight 600: exit %d: %s%n", protocol, cut.exit(), cut.error());
        assertThat(cut.exit()).isEqualTo(35);
        assertThat(cut.error()).isEqualTo("curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to "
                + "localhost:" + ProxyHarness.port(proxy));
        removeAll();

        harness.toxic("https", "tls_close_after_handshake", "downstream", Map.of());
        Curl closed = curl(protocol);
        System.out.printf("curl %s tls_close_after_handshake: exit %d: %s%n", protocol, closed.exit(),
                closed.error());
        assertThat(closed.exit()).isEqualTo(52);
        assertThat(closed.error()).isEqualTo("curl: (52) Empty reply from server");
        removeAll();

        double plain = Math.min(curl(protocol).appConnectSeconds(), curl(protocol).appConnectSeconds());
        harness.toxic("https", "tls_handshake_delay", "downstream", Map.of("delay", 300));
        Curl slow = curl(protocol);
        System.out.printf("curl %s tls_handshake_delay 300: time_appconnect %.3f s -> %.3f s%n", protocol,
                plain, slow.appConnectSeconds());
        int roundTrips = protocol.equals("TLSv1.3") ? 1 : 2;
        assertThat(slow.exit()).isZero();
        // Never faster than the held flights; about 300 ms more per round trip than without the toxic.
        assertThat(slow.appConnectSeconds()).isGreaterThanOrEqualTo(roundTrips * 0.3);
        assertThat(slow.appConnectSeconds() - plain).isBetween(roundTrips * 0.3 - 0.1, roundTrips * 0.3 + 0.25);
        removeAll();
        Curl after = curl(protocol);
        assertThat(after.exit()).isZero();
        assertThat(after.sha256()).as("after removal: every byte intact").isEqualTo(HttpsDataServer.sha256());
    }
}
