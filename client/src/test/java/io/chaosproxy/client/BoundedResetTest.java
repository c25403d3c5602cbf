package io.chaosproxy.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A test's reset must come back at once whatever the proxies are doing (Toxiproxy's hangs while removing toxics:
 * its issues 159, 412, 558): 1,000 open connections held by stall and timeout toxics, then POST /reset.
 */
class BoundedResetTest {
    private static final int CONNECTIONS = 1000;
    private ChaosProxyServer server;
    private ChaosProxyClient client;
    private ServerSocket upstream;
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        client = ChaosProxyClient.connect("127.0.0.1", server.apiAddress().getPort());
        upstream = new ServerSocket(0, CONNECTIONS, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptAndEcho, "upstream");
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        server.close();
        upstream.close();
    }

    /** Keeps every connection; echoes on a thread per connection only when asked (the last check). */
    private void acceptAndEcho() {
        while (!upstream.isClosed()) {
            try {
                Socket s = upstream.accept();
                held.add(s);
                Thread echo = new Thread(() -> {
                    try (InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        int b;
                        while ((b = in.read()) >= 0) {
                            out.write(b);
                        }
                    } catch (IOException closed) {
                        // the test's end
                    }
                });
                echo.setDaemon(true);
                echo.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Test
    void resetAnswersAtOnceWithAThousandConnectionsHeldByToxics() throws IOException {
        ProxyHandle p = client.createProxy("held", "127.0.0.1:0", "127.0.0.1:" + upstream.getLocalPort());
        p.toxics().stall("frozen").downstream().create();
        p.toxics().timeout("silent").upstream().timeout(0).create();
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket s = new Socket(p.listenHost(), p.listenPort());
            s.getOutputStream().write('x'); // swallowed by the timeout toxic
            clients.add(s);
            held.add(s);
        }
        p.awaitConnections(CONNECTIONS, Duration.ofSeconds(30));
        long cold = timedReset();
        // Again with the code warm, as between the tests of a suite: the toxics armed on the open connections.
        p.toxics().stall("frozen").downstream().create();
        p.toxics().timeout("silent").upstream().timeout(0).create();
        long millis = timedReset();
        System.out.printf("POST /reset with %d connections held by stall + timeout: %d ms (first, cold JIT: %d ms)%n",
                CONNECTIONS, millis, cold);
        assertThat(millis).isLessThan(100);
        assertThat(p.toxics().list()).isEmpty();
        // The connections are clean: bytes flow both ways again on one of the held ones.
        Socket last = clients.get(clients.size() - 1);
        last.setSoTimeout(5000);
        last.getOutputStream().write('y');
        assertThat(last.getInputStream().read()).isEqualTo('y');
    }

    private long timedReset() {
        long start = System.nanoTime();
        client.reset();
        return (System.nanoTime() - start) / 1_000_000;
    }
}
