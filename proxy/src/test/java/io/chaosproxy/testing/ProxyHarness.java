package io.chaosproxy.testing;

import io.chaosproxy.toxic.types.BuiltInToxics;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyEngine;
import io.chaosproxy.engine.ProxyRegistry;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.engine.ToxicRequest;
import io.chaosproxy.engine.TransportKind;
import io.chaosproxy.toxic.Toxic;
import io.chaosproxy.toxic.ToxicTypes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

/** An engine, its registry and a meter registry, ready to create proxies to loopback upstreams. Close after use. */
public final class ProxyHarness implements AutoCloseable {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ProxyEngine engine;
    private final ProxyRegistry registry;

    public ProxyHarness() {
        this(EngineConfig.defaults());
    }

    public ProxyHarness(EngineConfig config) {
        this(config, BuiltInToxics.registry());
    }

    /** With a registry of one's own: the built-in toxics and more (see AddingAToxicTest). */
    public ProxyHarness(EngineConfig config, ToxicTypes types) {
        this.engine = new ProxyEngine(config.withTransport(transportUnderTest(config.transport())), meters, types);
        this.registry = new ProxyRegistry(engine);
    }

    /**
     * The transport the engine tests run on: the configured one, unless the build runs the suite once more on
     * another transport ({@code -Dchaosproxy.test.transport=epoll}, see the surefire executions in the pom).
     */
    public static TransportKind transportUnderTest(TransportKind configured) {
        String asked = System.getProperty("chaosproxy.test.transport");
        return asked == null || asked.isBlank() ? configured : TransportKind.parse(asked);
    }

    public ProxyEngine engine() {
        return engine;
    }

    public ProxyRegistry registry() {
        return registry;
    }

    public SimpleMeterRegistry meters() {
        return meters;
    }

    /** Creates an enabled proxy listening on a free loopback port, forwarding to 127.0.0.1:{@code upstreamPort}. */
    public Proxy proxy(String name, int upstreamPort) {
        return registry.create(new ProxySpec(name, HostPort.parse("listen", "127.0.0.1:0", true),
                HostPort.parse("upstream", "127.0.0.1:" + upstreamPort, false), true));
    }

    public Toxic toxic(String proxy, String type, String stream, Map<String, Object> attributes) {
        return registry.addToxic(proxy, new ToxicRequest(null, type, stream, null, attributes));
    }

    public Toxic toxic(String proxy, String name, String type, String stream, double toxicity,
            Map<String, Object> attributes) {
        return registry.addToxic(proxy, new ToxicRequest(name, type, stream, toxicity, attributes));
    }

    /** The port a proxy is bound to. */
    public static int port(Proxy proxy) {
        String text = proxy.listenText();
        return Integer.parseInt(text.substring(text.lastIndexOf(':') + 1));
    }

    /**
     * What a client saw: {@link #connect} wraps a failed connect() in UncheckedIOException, and a reset may arrive
     * during connect() as well as at the first read, so tests look at the cause either way.
     */
    public static Throwable clientFailure(Throwable thrown) {
        return thrown instanceof UncheckedIOException ? thrown.getCause() : thrown;
    }

    /** A client socket connected to the proxy, with a read timeout so no test can hang on a read. */
    public static Socket connect(Proxy proxy) {
        return connect(port(proxy), 10_000);
    }

    public static Socket connect(int port, int readTimeoutMillis) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(readTimeoutMillis);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            BlockingServer.closeQuietly(s);
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        registry.close();
        engine.close();
    }
}
