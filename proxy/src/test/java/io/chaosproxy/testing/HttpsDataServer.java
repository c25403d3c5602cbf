package io.chaosproxy.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The JDK's HTTPS server on loopback, serving {@code GET /data}: {@link #SIZE} bytes of a fixed payload, whose
 * SHA-256 is {@link #sha256()}, so a client can prove it got every byte intact.
 */
public final class HttpsDataServer implements AutoCloseable {
    public static final int SIZE = 256 * 1024;
    private static final byte[] DATA = Payload.bytes(SIZE, 18);
    private final HttpsServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);

    public HttpsDataServer(SSLContext context) {
        try {
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/data", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, DATA.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(DATA);
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static String sha256() {
        return Payload.sha256(DATA);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
