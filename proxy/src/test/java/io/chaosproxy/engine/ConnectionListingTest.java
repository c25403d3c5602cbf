package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.testing.ProxyHarness;
import io.chaosproxy.timeline.ConnectionSummary;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /proxies/{p}/connections} as a test reads it right after closing a client: a connection that is
 * closing is listed as open or as closed, never missing. (A Testcontainers example read the list just as its JDBC
 * connection closed and found it empty: the connection had left the open set before its closed record was kept.)
 */
class ConnectionListingTest {
    private ProxyHarness harness;
    private ServerSocket server;
    private Proxy proxy;

    @BeforeEach
    void start() throws IOException {
        harness = new ProxyHarness();
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        proxy = harness.proxy("p", server.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        harness.close();
        server.close();
    }

    @Test
    void aClosingConnectionIsNeverMissingFromTheList() throws Exception {
        AtomicLong watched = new AtomicLong(0); // the id every listing must contain; 0: none yet
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> missed = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!done.get() && missed.get() == null) {
                long id = watched.get();
                if (id != 0 && proxy.connectionSummaries().stream().noneMatch(c -> c.id() == id)) {
                    missed.set("connection " + id + " was in neither the open nor the closed list");
                }
            }
        }, "lister");
        reader.start();
        try {
            for (int i = 0; i < 300 && missed.get() == null; i++) {
                try (Socket client = ProxyHarness.connect(proxy); Socket accepted = server.accept()) {
                    client.getOutputStream().write('a');
                    assertThat(accepted.getInputStream().read()).isEqualTo('a');
                    long id = proxy.connectionSummaries().stream().mapToLong(ConnectionSummary::id).max()
                            .orElseThrow();
                    watched.set(id);
                    accepted.close();
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
                long id = watched.get();
                while (proxy.connectionSummaries().stream().noneMatch(c -> c.id() == id && c.state().equals("closed"))
                        && missed.get() == null) {
                    Thread.onSpinWait();
                }
            }
        } finally {
            done.set(true);
            reader.join(5000);
        }
        assertThat(missed.get()).isNull();
    }
}
