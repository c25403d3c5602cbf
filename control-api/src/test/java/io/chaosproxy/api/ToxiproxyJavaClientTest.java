package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Toxiproxy's own Java client (toxiproxy-java 2.1.7), used exactly as its users do, against chaos-proxy. */
class ToxiproxyJavaClientTest {
    private ChaosProxyServer server;
    private ToxiproxyClient client;
    private ServerSocket echo;
    private Thread echoThread;

    @BeforeEach
    void start() throws IOException {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        client = new ToxiproxyClient("127.0.0.1", server.apiAddress().getPort());
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(this::echoLoop, "echo");
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        echo.close();
    }

    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        byte[] buf = new byte[8192];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            out.write(buf, 0, n);
                        }
                    } catch (IOException ignored) {
                        // a client reset is part of several tests
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static long roundTripMillis(Socket s) throws IOException {
        long start = System.nanoTime();
        s.getOutputStream().write('x');
        int b = s.getInputStream().read();
        assertThat(b).isEqualTo('x');
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static Socket connect(String listen) throws IOException {
        int colon = listen.lastIndexOf(':');
        Socket s = new Socket();
        s.connect(new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1))),
                2000);
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void createListAndDeleteProxies() throws IOException {
        Proxy p = client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        assertThat(p.getListen()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
        assertThat(client.getProxies()).extracting(Proxy::getName).containsExactly("echo");
        assertThat(client.getProxy("echo").getUpstream()).isEqualTo("127.0.0.1:" + echo.getLocalPort());
        assertThat(client.version()).isNotBlank();
        p.delete();
        assertThat(client.getProxyOrNull("echo")).isNull();
    }

    @Test
    void latencyToxicDelaysEachRoundTrip() throws IOException {
        Proxy p = client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        Latency latency = p.toxics().latency("lat", ToxicDirection.DOWNSTREAM, 150);
        latency.setJitter(0);
        assertThat(p.toxics().get("lat", Latency.class).getLatency()).isEqualTo(150);
        try (Socket s = connect(p.getListen())) {
            assertThat(roundTripMillis(s)).isBetween(145L, 400L);
            latency.remove();
            assertThat(roundTripMillis(s)).isLessThan(100L);
        }
    }

    @Test
    void resetPeerResetsTheClient() throws IOException {
        Proxy p = client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        try (Socket s = connect(p.getListen())) {
            roundTripMillis(s);
            p.toxics().resetPeer("rst", ToxicDirection.DOWNSTREAM, 0);
            SocketException e = assertThrows(SocketException.class, () -> {
                s.getOutputStream().write('x');
                s.getInputStream().read();
            });
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }

    @Test
    void everyToxicTypeItKnowsIsAccepted() throws IOException {
        Proxy p = client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        p.toxics().bandwidth("bw", ToxicDirection.UPSTREAM, 1000);
        p.toxics().slicer("sl", ToxicDirection.DOWNSTREAM, 10, 0).setSizeVariation(2).setDelay(5);
        p.toxics().slowClose("sc", ToxicDirection.DOWNSTREAM, 10);
        p.toxics().timeout("to", ToxicDirection.UPSTREAM, 1000).setToxicity(0.5f);
        p.toxics().limitData("ld", ToxicDirection.DOWNSTREAM, 1000);
        // Toxiproxy's order: upstream first, then downstream, each in creation order.
        assertThat(p.toxics().getAll()).extracting(t -> t.getName()).containsExactly("bw", "to", "sl", "sc", "ld");
        assertThat(p.toxics().get("to").getToxicity()).isEqualTo(0.5f);
        client.reset();
        assertThat(p.toxics().getAll()).isEmpty();
    }

    @Test
    void disableRefusesAndEnableRestores() throws IOException {
        Proxy p = client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        String listen = p.getListen();
        p.disable();
        assertThrows(ConnectException.class, () -> connect(listen).close());
        p.enable();
        try (Socket s = connect(listen)) {
            roundTripMillis(s);
        }
    }

    @Test
    void errorsSurfaceAsIoExceptionsWithTheServerMessage() throws IOException {
        client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort());
        IOException e = assertThrows(IOException.class,
                () -> client.createProxy("echo", "127.0.0.1:0", "127.0.0.1:" + echo.getLocalPort()));
        assertThat(e.getMessage()).contains("already exists");
    }
}
