package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
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
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.devtools.DevTools;
import org.openqa.selenium.devtools.v156.log.Log;
import org.openqa.selenium.devtools.v156.log.model.LogEntry;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in a real browser (Debian's headless Chromium through chromium-driver) against a server started
 * here on loopback: what a user does on each page and what the page then shows, checked against the API's own
 * answers. Every test fails on a JavaScript error, a failed load or a CSP refusal in the browser's log, and saves a
 * screenshot under target/. Skipped where Chromium is not installed, unless CONSOLE_REQUIRE_BROWSER=1 (CI).
 */
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static ChromeDriver browser;
    private static DevTools devTools;
    private static Path profile;
    private static final List<String> browserErrors = new CopyOnWriteArrayList<>();
    /** API calls a test makes fail on purpose: the browser logs their 4xx answers as failed loads. */
    private static final List<String> expectedFailedLoads = new CopyOnWriteArrayList<>();

    private ChaosProxyServer server;
    private ApiClient api;
    private String base;
    private Upstream upstream;

    @BeforeAll
    static void startBrowser() throws IOException {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && "1".equals(System.getenv("CONSOLE_REQUIRE_BROWSER"))) {
            throw new AssertionError("CONSOLE_REQUIRE_BROWSER=1 but " + CHROMIUM + " or " + CHROMEDRIVER
                    + " is missing: apt-get install chromium chromium-driver");
        }
        Assumptions.assumeTrue(installed, "the console's browser tests need Debian's chromium and chromium-driver"
                + " (apt-get install chromium chromium-driver); CI installs them");
        profile = Files.createTempDirectory("chaos-console-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--window-size=1280,800");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        devTools = browser.getDevTools();
        devTools.createSession();
        devTools.getDomains().events().addJavascriptExceptionListener(e -> browserErrors.add("exception: " + e));
        devTools.getDomains().events().addConsoleListener(c -> {
            if (c.getType().equals("error") || c.getType().equals("assert")) {
                browserErrors.add("console." + c.getType() + ": " + c.getMessages());
            }
        });
        // Failed loads (404 of a script), CSP refusals and the like reach the browser's log, not the console API.
        devTools.send(Log.enable());
        devTools.addListener(Log.entryAdded(), entry -> {
            String url = entry.getUrl().orElse("");
            boolean expected = entry.getSource() == LogEntry.Source.NETWORK
                    && expectedFailedLoads.stream().anyMatch(url::endsWith);
            if (entry.getLevel() == LogEntry.Level.ERROR && !expected) {
                browserErrors.add("log: " + entry.getText() + " " + url);
            }
        });
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        api = new ApiClient(server.apiAddress().getPort());
        base = "http://127.0.0.1:" + server.apiAddress().getPort();
        upstream = new Upstream();
        browser.manage().window().setSize(new Dimension(1280, 800));
        browserErrors.clear();
        expectedFailedLoads.clear();
    }

    @AfterEach
    void stop(TestInfo test) throws IOException {
        try {
            screenshot("console-" + test.getTestMethod().orElseThrow().getName());
            assertThat(browserErrors).as("JavaScript errors and failed loads in the browser's log").isEmpty();
        } finally {
            browser.get("about:blank"); // the page lets go of /events before its server goes away
            server.close();
            upstream.close();
        }
    }

    @Test
    void aProxyAndALatencyToxicMadeThroughTheFormsShowTheConnectionLiveWithItsAddedLatency() throws IOException {
        browser.get(base + "/ui/");
        WebElement create = waitFor(By.id("create"));
        // By keyboard: type into the fields and press Enter to submit.
        create.findElement(By.name("name")).sendKeys("web");
        WebElement upstreamField = create.findElement(By.name("upstream"));
        upstreamField.sendKeys("127.0.0.1:" + upstream.port(), Keys.ENTER);
        waitFor(By.cssSelector("#proxies tr[data-proxy='web']"));
        assertThat(api.get("/proxies/web").json().get("upstream").asText()).isEqualTo("127.0.0.1:" + upstream.port());

        browser.findElement(By.cssSelector("#proxies tr[data-proxy='web'] a")).click();
        WebElement add = waitFor(By.cssSelector("#add input[name='attr-latency']"));
        new Select(browser.findElement(By.cssSelector("#add select[name='stream']"))).selectByVisibleText("upstream");
        WebElement name = browser.findElement(By.cssSelector("#add input[name='name']"));
        name.clear();
        name.sendKeys("slow");
        add.clear();
        add.sendKeys("300");
        browser.findElement(By.id("add-submit")).click();
        waitFor(By.cssSelector(".phase[data-phase='established'] .toxic[data-toxic='slow']"));
        JsonNode toxic = api.get("/proxies/web/toxics/slow").json();
        assertThat(toxic.get("type").asText()).isEqualTo("latency");
        assertThat(toxic.get("stream").asText()).isEqualTo("upstream");
        assertThat(toxic.get("attributes").get("latency").asLong()).isEqualTo(300);

        browser.findElement(By.cssSelector("nav a[data-page='connections']")).click();
        waitFor(By.id("live"));
        long elapsedMs = pingPong(listenPort("web"));
        assertThat(elapsedMs).as("the client's own measure of the round trip").isGreaterThanOrEqualTo(300);

        WebElement row = waitFor(By.cssSelector("#live tr[data-state='closed']"));
        JsonNode timeline = await().atMost(WAIT).until(() -> api.get("/proxies/web/connections").json().get(0),
                ConsoleBrowserTest::closedWithItsLastEvent);
        List<String> expectedTypes = new ArrayList<>();
        timeline.get("events").forEach(e -> expectedTypes.add(e.get("type").asText()));
        assertThat(expectedTypes).startsWith("accepted", "dial_started", "upstream_connected").endsWith("closed");
        await().atMost(WAIT).untilAsserted(() -> assertThat(texts(browser.findElements(
                By.cssSelector("#live tr[data-state='closed'] td.events .chip")))).isEqualTo(expectedTypes));
        assertThat(row.findElement(By.cssSelector("td.reason")).getText())
                .isEqualTo(timeline.get("close_reason").asText());
        double gap = Double.parseDouble(row.findElement(By.cssSelector("td.answer-gap")).getAttribute("data-ms"));
        assertThat(gap).as("the server's first bytes came at least the toxic's 300 ms after the client's")
                .isBetween(300.0, 300.0 + 2000.0);

        row.findElement(By.cssSelector("a")).click();
        waitFor(By.cssSelector("svg.sequence"));
        assertThat(browser.findElement(By.id("close-reason")).getText()).isEqualTo(timeline.get("close_reason").asText());
        assertThat(Double.parseDouble(browser.findElement(By.id("answer-gap")).getAttribute("data-ms"))).isEqualTo(gap);
        List<String> drawn = new ArrayList<>();
        for (WebElement e : browser.findElements(By.cssSelector("svg.sequence .ev"))) {
            drawn.add(e.getAttribute("data-type"));
        }
        assertThat(drawn).as("every event drawn, in time order").isEqualTo(expectedTypes);
        assertThat(texts(browser.findElements(By.cssSelector("svg.sequence .lane text"))))
                .containsExactly("client", "proxy", "server");
        assertThat(browser.findElement(By.linkText("capture.pcap")).getAttribute("href"))
                .isEqualTo(base + "/proxies/web/capture.pcap");
    }

    @Test
    void aBadAttributeShowsTheApisMessageNextToThatFieldAndChangesNothing() {
        api.post("/proxies", "{\"name\":\"pg\",\"upstream\":\"127.0.0.1:" + upstream.port() + "\"}");
        String apiMessage = api.post("/proxies/pg/toxics",
                "{\"type\":\"latency\",\"attributes\":{\"latency\":-1}}").json().get("error").asText();
        browser.get(base + "/ui/#/proxies/pg");
        expectedFailedLoads.add("/proxies/pg/toxics");
        WebElement latency = waitFor(By.cssSelector("#add input[name='attr-latency']"));
        latency.clear();
        latency.sendKeys("-1");
        browser.findElement(By.id("add-submit")).click();
        WebElement error = waitFor(By.cssSelector("#add .field-error[data-error-for='attributes.latency']"));
        assertThat(error.getText()).isEqualTo(apiMessage).contains("attributes.latency", "-1");
        assertThat(latency.getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.findElements(By.cssSelector("#add .field-error:not([hidden])"))).hasSize(1);
        assertThat(api.get("/proxies/pg/toxics").json()).as("no toxic added").isEmpty();
    }

    @Test
    void aToxicEditedThroughTheFormChangesItsAttributesAndKeepsItsSchedule() {
        api.post("/proxies", "{\"name\":\"pg\",\"upstream\":\"127.0.0.1:" + upstream.port() + "\"}");
        api.post("/proxies/pg/toxics", "{\"name\":\"later\",\"type\":\"latency\",\"attributes\":{\"latency\":100},"
                + "\"schedule\":{\"start_after_ms\":600000}}");
        browser.get(base + "/ui/#/proxies/pg");
        WebElement toxic = waitFor(By.cssSelector(".phase[data-phase='established'] .toxic[data-toxic='later']"));
        assertThat(toxic.findElement(By.cssSelector("[data-schedule]")).getText()).isEqualTo("pending");
        toxic.findElement(By.cssSelector("button[data-edit='later']")).click();
        WebElement latency = waitFor(By.cssSelector("#add input[name='attr-latency']"));
        assertThat(latency.getAttribute("value")).isEqualTo("100");
        latency.clear();
        latency.sendKeys("50", Keys.ENTER);
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                api.get("/proxies/pg/toxics/later").json().get("attributes").get("latency").asLong()).isEqualTo(50));
        JsonNode after = api.get("/proxies/pg/toxics/later").json();
        assertThat(after.get("schedule").get("state").asText()).isEqualTo("pending");
        assertThat(api.get("/proxies/pg/toxics").json()).hasSize(1);
        waitFor(By.xpath("//h3[@id='add-title' and text()='Add a toxic']"));
    }

    @Test
    void aFinDropRunShowsTheSwallowedFinAsAToxicActionOnTheClientsLane() throws IOException {
        api.post("/proxies", "{\"name\":\"teardown\",\"upstream\":\"127.0.0.1:" + upstream.port() + "\"}");
        api.post("/proxies/teardown/toxics", "{\"name\":\"eat_fin\",\"type\":\"fin_drop\",\"stream\":\"downstream\","
                + "\"attributes\":{\"then_ms\":300,\"then\":\"rst\"}}");
        browser.get(base + "/ui/#/connections");
        waitFor(By.id("live"));
        String clientSaw = pingThenWaitForTheEnd(listenPort("teardown"));
        assertThat(clientSaw).as("no EOF (the FIN was swallowed), then the reset").isEqualTo("reset");
        JsonNode timeline = await().atMost(WAIT).until(() -> api.get("/proxies/teardown/connections").json().get(0),
                ConsoleBrowserTest::closedWithItsLastEvent);
        JsonNode swallowed = null;
        for (JsonNode e : timeline.get("events")) {
            if ("swallowed FIN".equals(e.path("action").asText())) {
                swallowed = e;
            }
        }
        assertThat(swallowed).as("the timeline's swallowed FIN").isNotNull();

        waitFor(By.cssSelector("#live tr[data-state='closed'] a")).click();
        WebElement action = waitFor(By.cssSelector("svg.sequence .toxic-action[data-action='swallowed FIN']"));
        assertThat(action.getAttribute("data-lane")).isEqualTo(swallowed.get("leg").asText()).isEqualTo("client");
        WebElement lane = browser.findElement(By.cssSelector("svg.sequence .lane[data-lane='client'] line"));
        WebElement mark = action.findElement(By.cssSelector("rect"));
        double markCentre = Double.parseDouble(mark.getAttribute("x")) + Double.parseDouble(mark.getAttribute("width")) / 2;
        assertThat(markCentre).as("drawn on the client's lane").isEqualTo(Double.parseDouble(lane.getAttribute("x1")));
        assertThat(browser.findElement(By.id("close-reason")).getText()).isEqualTo(timeline.get("close_reason").asText());
        // The README's picture (docs/images/console-connection.png is copied from this run): the whole page.
        long height = (Long) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight;");
        browser.manage().window().setSize(new Dimension(1280, (int) Math.min(2400, height + 140)));
        screenshot("console-connection");
    }

    @Test
    void runningAScenarioFromThePageShowsItsRecord() {
        browser.get(base + "/ui/#/scenarios");
        WebElement run = waitFor(By.cssSelector("li[data-scenario='server-fin-swallowed'] button[data-run]"));
        assertThat(browser.findElements(By.cssSelector(".stage h3"))).extracting(WebElement::getText)
                .contains("handshake", "established", "teardown");
        run.click();
        WebElement record = new org.openqa.selenium.support.ui.WebDriverWait(browser, Duration.ofSeconds(90))
                .until(d -> d.findElements(By.cssSelector("#record .record")).stream().findFirst().orElse(null));
        assertThat(record.findElement(By.cssSelector("h3")).getText()).startsWith("server-fin-swallowed");
        assertThat(record.getAttribute("data-status")).isEqualTo("as_stated");
        assertThat(record.findElements(By.cssSelector(".checks li.held"))).isNotEmpty();
        assertThat(record.findElements(By.cssSelector(".checks li.failed"))).isEmpty();
        assertThat(record.findElements(By.cssSelector("svg.sequence .toxic-action[data-action='swallowed FIN']")))
                .isNotEmpty();
        assertThat(record.findElements(By.cssSelector("svg.sequence text.note"))).as("the sides' observations")
                .isNotEmpty();
    }

    @Test
    void everyPageFitsANarrowWindowWithoutSidewaysScrolling() {
        api.post("/proxies", "{\"name\":\"narrow\",\"upstream\":\"127.0.0.1:" + upstream.port() + "\"}");
        browser.manage().window().setSize(new Dimension(420, 800));
        for (String page : List.of("#/proxies", "#/proxies/narrow", "#/connections", "#/scenarios")) {
            browser.get(base + "/ui/" + page);
            waitFor(By.cssSelector("main h2"));
            long overflow = (Long) ((JavascriptExecutor) browser).executeScript(
                    "return document.documentElement.scrollWidth - window.innerWidth;");
            assertThat(overflow).as(page + " wider than the window").isLessThanOrEqualTo(0);
        }
        // The first Tab reaches the skip link, the next ones the pages: usable without a mouse.
        browser.get(base + "/ui/#/proxies");
        waitFor(By.id("create"));
        browser.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getText()).isEqualTo("Skip to content");
    }

    // --- helpers ---

    /** A connection the timeline shows closed with its closed event in place (the state is set just before). */
    private static boolean closedWithItsLastEvent(JsonNode c) {
        if (c == null || !c.get("state").asText().equals("closed")) {
            return false;
        }
        JsonNode events = c.get("events");
        return events.size() > 0 && events.get(events.size() - 1).get("type").asText().equals("closed");
    }

    private WebElement waitFor(By by) {
        return new org.openqa.selenium.support.ui.WebDriverWait(browser, WAIT)
                .until(d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
    }

    private static List<String> texts(List<WebElement> elements) {
        List<String> out = new ArrayList<>();
        elements.forEach(e -> out.add(e.getText()));
        return out;
    }

    private Path screenshot(String name) throws IOException {
        Path out = Path.of("target", name + ".png");
        Files.createDirectories(out.getParent());
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    private int listenPort(String proxy) {
        String listen = api.get("/proxies/" + proxy).json().get("listen").asText();
        return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
    }

    /** One request through the proxy; returns how long the answer took, in ms, as the client measured it. */
    private static long pingPong(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("pong");
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertThat(in.read()).as("the server's FIN").isEqualTo(-1);
            return elapsed;
        }
    }

    /** One request, then reads until the connection ends: "eof" or "reset". */
    private static String pingThenWaitForTheEnd(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] pong = in.readNBytes(5);
            assertThat(new String(pong, StandardCharsets.US_ASCII)).isEqualTo("pong\n");
            try {
                return in.read() == -1 ? "eof" : "data";
            } catch (SocketException reset) {
                return "reset";
            }
        }
    }

    /** A loopback server that answers "pong" to one line and then closes (its FIN). */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final ExecutorService threads = Executors.newCachedThreadPool();

        Upstream() throws IOException {
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket c = socket.accept();
                        threads.execute(() -> answer(c));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        private static void answer(Socket c) {
            try (c) {
                c.setSoTimeout(10_000);
                new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                OutputStream out = c.getOutputStream();
                out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the client went away: nothing to answer
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }
}
