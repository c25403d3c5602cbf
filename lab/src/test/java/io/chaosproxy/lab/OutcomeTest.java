package io.chaosproxy.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every outcome the demo client reports, produced by a real peer on loopback and classified by {@link Probe}. */
@Timeout(30)
class OutcomeTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String HOST = LOOPBACK.getHostAddress();

    private final ExecutorService peers = Executors.newCachedThreadPool();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Probe probe = new Probe(500, 500);

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        peers.shutdownNow();
    }

    /** A one-connection-at-a-time peer on loopback that does what {@code behaviour} says with each client. */
    private int peer(Behaviour behaviour) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, LOOPBACK);
        toClose.add(ss);
        peers.execute(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    behaviour.serve(s);
                } catch (IOException | InterruptedException e) {
                    // the peer's own view does not matter here
                }
            }
        });
        return ss.getLocalPort();
    }

    private interface Behaviour {
        void serve(Socket s) throws IOException, InterruptedException;
    }

    private static void readRequestHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        int matched = 0;
        for (int c = in.read(); c >= 0 && matched < 4; c = in.read()) {
            matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) {
                return;
            }
        }
    }

    private static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Test
    void okFromTheDemoServer() throws Exception {
        DemoServer server = new DemoServer(new Args("server", new String[] {"--host", HOST, "--http-port", "0",
                "--echo-port", "0", "--metrics-port", "0"}, DemoServer.defaults()));
        toClose.add(server);
        server.start();
        Probe.Result http = probe.http(HOST, server.port("http"), 100_000, 0);
        assertThat(http.outcome()).as(http.detail()).isEqualTo(Outcome.OK);
        assertThat(http.connectNanos()).isPositive().isLessThanOrEqualTo(http.totalNanos());
        Probe.Result echo = probe.echo(HOST, server.port("echo"), 50_000);
        assertThat(echo.outcome()).as(echo.detail()).isEqualTo(Outcome.OK);
    }

    @Test
    void connectionRefusedWhenNothingListens() throws Exception {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, LOOPBACK)) {
            port = ss.getLocalPort();
        }
        Probe.Result r = probe.http(HOST, port, 10, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.CONNECTION_REFUSED);
        assertThat(r.connectNanos()).isEqualTo(-1);
    }

    @Test
    void connectTimeoutWhenTheListenQueueIsFull() throws Exception {
        // A listener that never accepts: once its accept queue is full, Linux drops further SYNs, so connect()
        // waits, as behind a SYN-dropping firewall.
        ServerSocket ss = new ServerSocket(0, 1, LOOPBACK);
        toClose.add(ss);
        boolean full = false;
        for (int i = 0; i < 32 && !full; i++) {
            Socket filler = new Socket();
            toClose.add(filler);
            try {
                filler.connect(new InetSocketAddress(LOOPBACK, ss.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                full = true;
            }
        }
        assertThat(full).as("the accept queue filled up").isTrue();
        Probe.Result r = probe.http(HOST, ss.getLocalPort(), 10, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.CONNECT_TIMEOUT);
        assertThat(r.totalNanos()).isGreaterThanOrEqualTo(400_000_000L);
    }

    @Test
    void connectionResetWhenThePeerSendsRst() throws Exception {
        int port = peer(s -> {
            readRequestHead(s);
            write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1024));
            Thread.sleep(50);
            s.setSoLinger(true, 0); // close() sends an RST
        });
        Probe.Result r = probe.http(HOST, port, 100_000, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.CONNECTION_RESET);
        assertThat(r.connectNanos()).isPositive();
    }

    @Test
    void readTimeoutWhenThePeerIsSilent() throws Exception {
        int port = peer(s -> {
            readRequestHead(s);
            Thread.sleep(2000);
        });
        Probe.Result r = probe.http(HOST, port, 10, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.READ_TIMEOUT);
        assertThat(r.totalNanos()).isGreaterThanOrEqualTo(450_000_000L);
    }

    @Test
    void eofEarlyWhenTheBodyIsCutShort() throws Exception {
        int port = peer(s -> {
            readRequestHead(s);
            write(s, "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(1024));
            s.shutdownOutput(); // a FIN after 1 KiB of 4
            s.getInputStream().read();
        });
        Probe.Result r = probe.http(HOST, port, 4096, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.EOF_EARLY);
        assertThat(r.detail()).contains("1024 of 4096");
    }

    @Test
    void eofEarlyWhenTheConnectionClosesBeforeAnyAnswer() throws Exception {
        int port = peer(OutcomeTest::readRequestHead);
        Probe.Result r = probe.http(HOST, port, 10, 0);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.EOF_EARLY);
    }

    @Test
    void echoEofEarlyAndCorrupt() throws Exception {
        int halfBack = peer(s -> {
            byte[] all = s.getInputStream().readAllBytes();
            s.getOutputStream().write(all, 0, all.length / 2);
        });
        Probe.Result r = probe.echo(HOST, halfBack, 1000);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.EOF_EARLY);

        int flipped = peer(s -> {
            byte[] all = s.getInputStream().readAllBytes();
            all[all.length / 2] ^= 0x10;
            s.getOutputStream().write(all);
        });
        r = probe.echo(HOST, flipped, 1000);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.CORRUPT);
    }

    @Test
    void echoReadTimeoutWhenTheFinNeverComes() throws Exception {
        // Everything is echoed but the connection stays open: what a client sees when a FIN is swallowed.
        int port = peer(s -> {
            byte[] all = s.getInputStream().readAllBytes();
            s.getOutputStream().write(all);
            Thread.sleep(2000);
        });
        Probe.Result r = probe.echo(HOST, port, 1000);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.READ_TIMEOUT);
    }

    @Test
    void nonHttpAnswerIsAnError() throws Exception {
        int port = peer(s -> {
            readRequestHead(s);
            write(s, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
        });
        Probe.Result r = probe.http(HOST, port, 10, 0);
        assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
        assertThat(r.detail()).contains("503");
    }

    @Test
    void labels() {
        assertThat(Outcome.CONNECTION_RESET.label()).isEqualTo("connection_reset");
        assertThat(Outcome.EOF_EARLY.label()).isEqualTo("eof_early");
    }
}
