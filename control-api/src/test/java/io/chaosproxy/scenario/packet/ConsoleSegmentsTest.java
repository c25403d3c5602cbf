package io.chaosproxy.scenario.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console with the packet engine, in a network namespace of this JVM's own (the browser runs in it too): a
 * connection whose first SYN was dropped shows that SYN as lost and its retransmission as accepted, in the
 * connection's sequence diagram.
 */
class ConsoleSegmentsTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void aDroppedSynAndItsRetransmissionAreDrawnAsSegments() throws Exception {
        Assumptions.assumeTrue(System.getenv("CHAOS_NETNS") != null, "not in a private network namespace");
        boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!browser && "1".equals(System.getenv("CONSOLE_REQUIRE_BROWSER"))) {
            throw new AssertionError("CONSOLE_REQUIRE_BROWSER=1 but chromium or chromedriver is missing");
        }
        Assumptions.assumeTrue(browser, "needs Debian's chromium and chromium-driver");
        Path profile = Files.createTempDirectory("chaos-console-segments");
        try (ChaosProxyServer server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults(), true);
             ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String base = "http://127.0.0.1:" + server.apiAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            String created = post(http, base + "/proxies",
                    "{\"name\":\"hs\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort() + "\"}");
            Matcher m = Pattern.compile("\"listen\"\\s*:\\s*\"[^\"]*:(\\d+)\"").matcher(created);
            assertThat(m.find()).as(created).isTrue();
            int listen = Integer.parseInt(m.group(1));
            post(http, base + "/proxies/hs/toxics", "{\"type\":\"syn_drop\",\"stream\":\"upstream\",\"attributes\":{\"count\":1}}");

            Thread answer = new Thread(() -> {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test failed elsewhere
                }
            });
            answer.start();
            long start = System.nanoTime();
            try (Socket client = new Socket()) {
                client.connect(new InetSocketAddress("127.0.0.1", listen), 5000);
                long connectMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(connectMillis).as("one SYN lost: connected after the retransmission").isBetween(900L, 4000L);
                client.setSoTimeout(5000);
                InputStream in = client.getInputStream();
                assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("pong");
            }
            answer.join(5000);

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--user-data-dir=" + profile, "--window-size=1280,1200");
            ChromeDriver driver = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
            try {
                driver.get(base + "/ui/#/connections/hs/1");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
                WebElement lost = wait.until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("svg.sequence .seg-drop.lost")));
                assertThat(lost.getAttribute("data-lane")).isEqualTo("client");
                assertThat(lost.getText()).startsWith("S ").endsWith("(lost)");
                List<WebElement> accepted = driver.findElements(By.cssSelector("svg.sequence .seg-accept[data-flags='S']"));
                assertThat(accepted).as("the retransmitted SYN, accepted").isNotEmpty();
                assertThat(driver.findElements(By.cssSelector("svg.sequence .seg-accept[data-flags='S.']")))
                        .as("the proxy's SYN-ACK").isNotEmpty();
                Files.createDirectories(Path.of("target"));
                Files.write(Path.of("target", "console-segments.png"), driver.getScreenshotAs(OutputType.BYTES));
            } finally {
                driver.quit();
            }
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
            }
        }
    }

    private static String post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " " + r.body()).isLessThan(300);
        return r.body();
    }
}
