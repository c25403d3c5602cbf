import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * How the console's live list keeps up under load: a server on loopback, the live page open in headless Chromium,
 * and RATE short connections per second through a proxy for SECONDS seconds. Prints connections made, events the
 * page received, events the server reported dropped for it, and the page's own render times of the list.
 *
 * <p>Run with bench/console-live.sh (it builds the class path); arguments: RATE SECONDS.
 */
public final class ConsoleLiveLoad {
    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        ServerSocket upstream = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        Thread answering = new Thread(() -> {
            while (!upstream.isClosed()) {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write('k'); // then close: the server's FIN
                } catch (Exception e) {
                    // closed at the end
                }
            }
        });
        answering.setDaemon(true);
        answering.start();
        try (ChaosProxyServer server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults())) {
            String base = "http://127.0.0.1:" + server.apiAddress().getPort();
            HttpClient http = HttpClient.newHttpClient();
            http.send(HttpRequest.newBuilder(URI.create(base + "/proxies")).POST(HttpRequest.BodyPublishers.ofString(
                    "{\"name\":\"load\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:" + upstream.getLocalPort()
                            + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            String listen = server.registry().get("load").listenText();
            int port = Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));

            Path profile = Files.createTempDirectory("console-bench");
            ChromeOptions options = new ChromeOptions();
            options.setBinary("/usr/bin/chromium");
            options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                    "--window-size=1280,800");
            ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
                    .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build(), options);
            try {
                browser.get(base + "/ui/#/connections");
                Thread.sleep(1500);
                AtomicLong made = new AtomicLong();
                int threads = 4;
                long end = System.nanoTime() + seconds * 1_000_000_000L;
                List<Thread> clients = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Thread c = new Thread(() -> {
                        long interval = 1_000_000_000L * threads / rate;
                        long next = System.nanoTime();
                        while (System.nanoTime() < end) {
                            try (Socket s = new Socket()) {
                                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                                s.setSoTimeout(2000);
                                InputStream in = s.getInputStream();
                                OutputStream out = s.getOutputStream();
                                out.write('p');
                                while (in.read() >= 0) {
                                    // until the server's FIN
                                }
                                made.incrementAndGet();
                            } catch (Exception e) {
                                // counted by what is missing
                            }
                            next += interval;
                            long wait = next - System.nanoTime();
                            if (wait > 0) {
                                try {
                                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                                } catch (InterruptedException e) {
                                    return;
                                }
                            }
                        }
                    });
                    c.start();
                    clients.add(c);
                }
                Pattern counts = Pattern.compile("of (\\d+) kept .*?; (\\d+) events received; rendered in ([\\d.]+) ms");
                List<Double> renders = new ArrayList<>();
                while (System.nanoTime() < end) {
                    Thread.sleep(500);
                    Matcher m = counts.matcher(browser.findElement(By.id("counts")).getText());
                    if (m.find()) {
                        renders.add(Double.parseDouble(m.group(3)));
                    }
                }
                for (Thread c : clients) {
                    c.join();
                }
                Thread.sleep(2000);
                String text = browser.findElement(By.id("counts")).getText();
                String dropped = browser.findElement(By.id("dropped")).getText();
                renders.sort(null);
                System.out.printf("rate asked %d/s for %d s: %d connections made (%.0f/s)%n", rate, seconds, made.get(),
                        made.get() / (double) seconds);
                System.out.println("page: " + text);
                System.out.println("page dropped notice: " + (dropped.isEmpty() ? "none" : dropped));
                if (!renders.isEmpty()) {
                    System.out.printf("live list render (200 rows kept), sampled every 0.5 s: median %.1f ms, max %.1f ms%n",
                            renders.get(renders.size() / 2), renders.get(renders.size() - 1));
                }
            } finally {
                browser.quit();
            }
        } finally {
            upstream.close();
        }
    }
}
