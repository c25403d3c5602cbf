package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.EventBus;
import io.chaosproxy.model.ConnectionEvent;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /events subscribers: one that never reads holds a bounded queue (what is queued for it is counted) and is told how
 * many events it lost when it reads again; one that reads sees every event.
 */
class EventFanOutTest {
    private ChaosProxyServer server;
    private EventBus bus;

    @BeforeEach
    void start() {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        bus = server.engine().events();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Socket subscribe() throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096); // a small window: the server's side fills quickly when we stop reading
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.apiAddress().getPort()), 5_000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(RawSocket.get("/events").getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
        org.awaitility.Awaitility.await().atMost(5, TimeUnit.SECONDS).until(() -> gauge("subscribers") >= 1);
        return s;
    }

    private double gauge(String name) {
        return server.meters().get("chaosproxy.api.events." + name).gauge().value();
    }

    private static ConnectionEvent event(long id) {
        return ConnectionEvent.accepted("p", id, 0, "127.0.0.1:" + (10_000 + id % 50_000));
    }

    @Test
    void aSubscriberThatNeverReadsHasABoundedQueueAndLearnsWhatItLostWhenItReadsAgain() throws Exception {
        try (Socket stuck = subscribe()) {
            double maxQueued = 0;
            for (int i = 1; i <= 60_000; i++) { // about 7 MB of events, far beyond what may be queued
                bus.publish(event(i));
                if (i % 1_000 == 0) {
                    maxQueued = Math.max(maxQueued, gauge("queued"));
                }
            }
            maxQueued = Math.max(maxQueued, gauge("queued"));
            double dropped = server.meters().get("chaosproxy.api.events.dropped").counter().count();
            assertThat(maxQueued).as("bytes queued for the stuck subscriber")
                    .isPositive().isLessThanOrEqualTo(EventFanOut.QUEUE_BUDGET_BYTES);
            assertThat(dropped).isGreaterThan(50_000);

            // It reads again: what was queued arrives, then the reports of what was lost (one per stretch of
            // losses), which add up to every event it did not get.
            CompletableFuture<Long> reported = CompletableFuture.supplyAsync(() -> readDroppedReports(stuck,
                    (long) dropped));
            for (int i = 0; i < 200 && !reported.isDone(); i++) {
                bus.publish(event(1_000_000 + i));
                Thread.sleep(20);
            }
            long reportedTotal = reported.get(10, TimeUnit.SECONDS);
            double droppedAtEnd = server.meters().get("chaosproxy.api.events.dropped").counter().count();
            assertThat(reportedTotal).isBetween((long) dropped, (long) droppedAtEnd);
        }
    }

    private static long readDroppedReports(Socket s, long expected) {
        Pattern report = Pattern.compile("\"dropped\":(\\d+)");
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            boolean next = false;
            long sum = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("event: dropped")) {
                    next = true;
                } else if (next) {
                    next = false;
                    Matcher m = report.matcher(line);
                    if (m.find()) {
                        sum += Long.parseLong(m.group(1));
                    }
                    if (sum >= expected) {
                        return sum;
                    }
                }
            }
            throw new AssertionError("stream ended with " + sum + " of " + expected + " lost events reported");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aReadingSubscriberSeesEveryEventEvenBesideAStuckOne() throws Exception {
        try (Socket stuck = subscribe(); Socket reader = subscribe()) {
            assertThat(stuck.isConnected()).as("a subscriber that never reads, beside the reading one").isTrue();
            int total = 3_000;
            CompletableFuture<Integer> seen = CompletableFuture.supplyAsync(() -> countUntil(reader, total));
            for (int i = 1; i <= total; i++) {
                bus.publish(event(i));
                if (i % 100 == 0) {
                    Thread.sleep(10); // a steady flow, well within what a reading client takes
                }
            }
            assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo(total);
            assertThat(gauge("queued")).isLessThanOrEqualTo(2.0 * EventFanOut.QUEUE_BUDGET_BYTES);
        }
    }

    /** Counts accepted events until the last one (its id is {@code total}); fails on a dropped report. */
    private static int countUntil(Socket s, int total) {
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            int count = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("event: dropped")) {
                    throw new AssertionError("a reading subscriber lost events");
                }
                if (line.startsWith("data: ") && line.contains("\"type\":\"accepted\"")) {
                    count++;
                    if (line.contains("\"connection\":" + total + ",") || line.endsWith("\"connection\":" + total + "}")) {
                        return count;
                    }
                }
            }
            return count;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
