package io.chaosproxy.testcontainers;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.ProxyHandle;
import io.chaosproxy.client.ProxyInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.rnorth.ducttape.ratelimits.RateLimiterBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.HttpWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * chaos-proxy in a container: the control API on {@value #CONTROL_PORT} (exposed, and waited on until
 * {@code GET /version} answers 200), a range of proxy ports ({@value #FIRST_PROXY_PORT} and up, 20 by default)
 * exposed, and {@code NET_ADMIN} added (and the process run as root in the container) so the packet engine's toxics
 * ({@code syn_drop}, ...) work; {@link #withoutPacketEngine()} leaves the image's unprivileged user alone. Images are
 * only pulled by Testcontainers' usual rules (a user with a registry sets the image name; nothing here pulls).
 *
 * <pre>{@code
 * Network network = Network.newNetwork();
 * GenericContainer<?> pg = new GenericContainer<>("postgres:16").withNetwork(network).withNetworkAliases("pg")...;
 * ChaosProxyContainer chaos = new ChaosProxyContainer().withNetwork(network);
 * ChaosProxyContainer.Proxy proxy = chaos.proxy("pg", "pg", 5432);
 * String url = "jdbc:postgresql://" + proxy.getHost() + ":" + proxy.getMappedPort() + "/postgres";
 * proxy.toxics().latency("slow").latency(200).create();
 * }</pre>
 */
public class ChaosProxyContainer extends GenericContainer<ChaosProxyContainer> {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosProxyContainer.class);
    /** The project's image, as {@code docker/} builds it. */
    public static final String DEFAULT_IMAGE = "chaos-proxy:0.1.0-SNAPSHOT";
    /** The control API's port inside the container. */
    public static final int CONTROL_PORT = 8474;
    /** The first port proxies listen on inside the container (as Toxiproxy's container). */
    public static final int FIRST_PROXY_PORT = 8666;
    /** How many proxy ports are exposed unless {@link #withProxyPortCount(int)} says otherwise. */
    public static final int DEFAULT_PROXY_PORT_COUNT = 20;

    private int proxyPortCount = DEFAULT_PROXY_PORT_COUNT;
    private Boolean directlyReachable;
    /** As given: asking the superclass for it would resolve (pull) the image first. */
    private final DockerImageName imageName;
    private boolean packetEngine = true;
    private String apiToken;
    private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
    private volatile ChaosProxyClient client;
    private volatile Duration startupTime;

    /** The default image, {@value #DEFAULT_IMAGE}. */
    public ChaosProxyContainer() {
        this(DockerImageName.parse(DEFAULT_IMAGE));
    }

    public ChaosProxyContainer(String image) {
        this(DockerImageName.parse(image));
    }

    /** Any image that runs chaos-proxy with its control API on 0.0.0.0:8474. */
    public ChaosProxyContainer(DockerImageName image) {
        super(image);
        this.imageName = image;
        exposePorts();
        waitForApi();
        withCreateContainerCmdModifier(cmd -> {
            if (!packetEngine) {
                return;
            }
            // The packet engine drives iptables and NFQUEUE in the container's own network namespace: root (the
            // image's default user is unprivileged) with NET_ADMIN, and nothing more.
            cmd.withUser("0");
            HostConfig host = cmd.getHostConfig();
            Set<Capability> caps = new HashSet<>();
            if (host.getCapAdd() != null) {
                caps.addAll(Arrays.asList(host.getCapAdd()));
            }
            caps.add(Capability.NET_ADMIN);
            host.withCapAdd(caps.toArray(new Capability[0]));
        });
    }

    /**
     * Starts the container and waits for its API, then logs (INFO, logger {@code io.chaosproxy.testcontainers})
     * how long that took, from {@code start()} to {@code GET /version} answering: one line per container start, so
     * a test run's output shows what each chaos-proxy container cost it.
     */
    @Override
    public void start() {
        boolean starting = getContainerId() == null;
        long t0 = System.nanoTime();
        super.start();
        if (starting) {
            startupTime = Duration.ofNanos(System.nanoTime() - t0);
            LOG.info("chaos-proxy container {} answered GET /version {} ms after start()", imageName,
                    startupTime.toMillis());
        }
    }

    /** From {@code start()} to the API answering, measured by the last start; null before the first. */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Started once {@code GET /version} answers 200 (with the token, if one is set). Asked every 50 ms: the wait
     * strategies' shared default asks once a second, which added half a second on average to every start of an
     * image that answers in a few hundred ms.
     */
    private void waitForApi() {
        HttpWaitStrategy ready = Wait.forHttp("/version").forPort(CONTROL_PORT).forStatusCode(200);
        ready.withRateLimiter(RateLimiterBuilder.newBuilder().withRate(20, TimeUnit.SECONDS).withConstantThroughput()
                .build());
        if (apiToken != null) {
            ready = ready.withHeader("Authorization", "Bearer " + apiToken);
        }
        waitingFor(ready.withStartupTimeout(Duration.ofSeconds(60)));
    }

    /**
     * Makes the control API require this token (passed in the container's environment as
     * {@code CHAOS_PROXY_API_TOKEN}, never on its command line); {@link #client()} and the JUnit extension send it.
     */
    public ChaosProxyContainer withApiToken(String token) {
        if (token == null || token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("an API token is printable ASCII without spaces");
        }
        this.apiToken = token;
        withEnv("CHAOS_PROXY_API_TOKEN", token);
        waitForApi();
        return this;
    }

    /**
     * The control API answers only IP addresses and localhost as its Host (DNS-rebinding protection); where Docker
     * is reached by a name (Docker-in-Docker's "docker"), that name is allowed too.
     */
    @Override
    protected void configure() {
        super.configure();
        String host = getHost();
        boolean literalOrLocal = host.equalsIgnoreCase("localhost") || host.matches("[0-9.]+") || host.contains(":");
        if (!literalOrLocal && !getEnvMap().containsKey("CHAOS_PROXY_ALLOWED_HOSTS")) {
            withEnv("CHAOS_PROXY_ALLOWED_HOSTS", host);
        }
    }

    private void exposePorts() {
        List<Integer> ports = new ArrayList<>();
        ports.add(CONTROL_PORT);
        for (int i = 0; i < proxyPortCount; i++) {
            ports.add(FIRST_PROXY_PORT + i);
        }
        setExposedPorts(ports);
    }

    /** Exposes {@code count} proxy ports from {@value #FIRST_PROXY_PORT} on (before start). */
    public ChaosProxyContainer withProxyPortCount(int count) {
        if (count < 1 || FIRST_PROXY_PORT + count > 65536) {
            throw new IllegalArgumentException("proxy port count must be between 1 and " + (65536 - FIRST_PROXY_PORT));
        }
        this.proxyPortCount = count;
        exposePorts();
        return this;
    }

    /**
     * Runs the image as its own unprivileged user without {@code NET_ADMIN}: stream toxics only, and packet toxics
     * answer 422 (by default the container runs as root with {@code NET_ADMIN} so that packet toxics work).
     */
    public ChaosProxyContainer withoutPacketEngine() {
        this.packetEngine = false;
        return this;
    }

    public int getControlPort() {
        return getMappedPort(CONTROL_PORT);
    }

    /** The control API's URL from the test's side, e.g. {@code http://localhost:32768}. */
    public String getControlUrl() {
        return "http://" + getHost() + ":" + getControlPort();
    }

    /**
     * The project's own images ({@code chaos-proxy:<tag>}, no registry) exist only where someone built them; no
     * registry publishes them. Fail at once with the command that builds one, instead of after minutes of pull
     * retries.
     */
    @Override
    protected void doStart() {
        LocalImage.requirePresent(imageName);
        super.doStart();
    }

    /**
     * Whether the test can reach the container's own address ({@link Proxy#getDirectHost()}): true where the test
     * runs on the Docker host itself (Linux), false through Docker Desktop's VM. Asked once, with a short connect.
     */
    public synchronized boolean isDirectlyReachable() {
        if (directlyReachable == null) {
            directlyReachable = DirectAddress.reachable(getNetworkIpAddress(), CONTROL_PORT);
        }
        return directlyReachable;
    }

    /** The container's IP address on its first network (reachable from the Docker host on Linux). */
    public String getNetworkIpAddress() {
        return getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                .map(n -> n.getIpAddress()).filter(ip -> ip != null && !ip.isEmpty()).findFirst()
                .orElseThrow(() -> new IllegalStateException("the container has no IP address on any network"));
    }

    /** A client for the control API: toxics, reset, capabilities, connections, anything. The container must run. */
    public ChaosProxyClient client() {
        ChaosProxyClient c = client;
        if (c == null) {
            if (!isRunning()) {
                throw new IllegalStateException("the chaos-proxy container is not running; start() it first");
            }
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = ChaosProxyClient.connect(getHost(), getControlPort()).withApiToken(apiToken);
                    client = c;
                }
            }
        }
        return c;
    }

    /** Removes every toxic and enables every proxy (proxies are kept). */
    public void reset() {
        client().reset();
    }

    /** {@link #proxy(String, String)} with the upstream as host and port. */
    public Proxy proxy(String name, String upstreamHost, int upstreamPort) {
        return proxy(name, upstreamHost + ":" + upstreamPort);
    }

    /**
     * The proxy with this name, created on the next free port of the exposed range if it does not exist yet
     * (listening on {@code 0.0.0.0}, so both the test and other containers on the same network reach it). The
     * upstream is as seen from inside the container: a network alias and port ({@code "pg:5432"}).
     */
    public synchronized Proxy proxy(String name, String upstream) {
        Proxy known = proxies.get(name);
        if (known != null) {
            if (!known.handle().upstream().equals(upstream)) {
                known.handle().setUpstream(upstream);
            }
            return known;
        }
        Map<String, ProxyInfo> existing = client().proxies();
        ProxyInfo info = existing.get(name);
        ProxyHandle handle;
        if (info != null) {
            handle = client().proxy(name);
            if (!info.upstream().equals(upstream)) {
                handle.setUpstream(upstream);
            }
        } else {
            Set<Integer> used = new HashSet<>();
            existing.values().forEach(p -> used.add(p.listenPort()));
            int port = -1;
            for (int i = 0; i < proxyPortCount; i++) {
                if (!used.contains(FIRST_PROXY_PORT + i)) {
                    port = FIRST_PROXY_PORT + i;
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("all " + proxyPortCount + " exposed proxy ports are taken; "
                        + "use withProxyPortCount(n) before start()");
            }
            handle = client().createProxy(name, "0.0.0.0:" + port, upstream);
        }
        int port = handle.listenPort();
        if (port < FIRST_PROXY_PORT || port >= FIRST_PROXY_PORT + proxyPortCount) {
            throw new IllegalStateException("proxy " + name + " listens on " + handle.listen()
                    + ", outside the exposed range " + FIRST_PROXY_PORT + "-" + (FIRST_PROXY_PORT + proxyPortCount - 1));
        }
        Proxy p = new Proxy(this, handle, getHost(), getMappedPort(port), port);
        if (!isDirectlyReachable()) {
            handle.refusePacketToxics("this test reaches proxy " + name + " only through Docker's port forwarding ("
                    + getHost() + ":" + getMappedPort(port) + "), which completes handshakes and turns resets into "
                    + "FINs itself, so a packet toxic could not act on the test's connections; run the test on the "
                    + "Docker host (Linux) to use packet toxics");
        }
        proxies.put(name, p);
        return p;
    }

    @Override
    public void stop() {
        proxies.clear();
        client = null;
        directlyReachable = null;
        super.stop();
    }

    /**
     * A proxy in the container: {@link #getHost()} and {@link #getMappedPort()} are what a client in the test
     * connects to; {@link #getOriginalProxyPort()} is the port other containers on the network use
     * ({@code <chaos-proxy alias>:<original port>}); {@link #handle()} and {@link #toxics()} drive it.
     */
    public static final class Proxy {
        private final ChaosProxyContainer container;
        private final ProxyHandle handle;
        private final String host;
        private final int mappedPort;
        private final int originalPort;

        Proxy(ChaosProxyContainer container, ProxyHandle handle, String host, int mappedPort, int originalPort) {
            this.container = container;
            this.handle = handle;
            this.host = host;
            this.mappedPort = mappedPort;
            this.originalPort = originalPort;
        }

        public String getName() {
            return handle.name();
        }

        /**
         * The host to connect to where every fault works: the container's own address when the test can reach it
         * (Linux, the test on the Docker host), else the mapped port's host (packet toxics are then refused at
         * creation, as Docker's forwarding would hide them).
         */
        public String host() {
            return container.isDirectlyReachable() ? getDirectHost() : host;
        }

        /** The port that goes with {@link #host()}. */
        public int port() {
            return container.isDirectlyReachable() ? originalPort : mappedPort;
        }

        /** {@code host():port()}. */
        public String address() {
            return host() + ":" + port();
        }

        /** {@code scheme://host():port()}, e.g. {@code uri("http")} for an HTTP upstream. */
        public java.net.URI uri(String scheme) {
            return java.net.URI.create(scheme + "://" + address());
        }

        /** A JDBC URL through the proxy, e.g. {@code jdbcUrl("postgresql", "postgres")}. */
        public String jdbcUrl(String subprotocol, String database) {
            return "jdbc:" + subprotocol + "://" + address() + "/" + database;
        }

        /** The host a client in the test connects to. */
        public String getHost() {
            return host;
        }

        /** The port a client in the test connects to. */
        public int getMappedPort() {
            return mappedPort;
        }

        /**
         * The container's own IP address (on its first network). Connect to it and {@link #getOriginalProxyPort()}
         * from the Docker host for handshake faults ({@code syn_drop}, {@code synack_drop}, ...): through the mapped
         * port, Docker's port forwarding (docker-proxy) completes the client's handshake itself before the proxy
         * sees a SYN. Works where the test runs on the Docker host (Linux), not through Docker Desktop's VM.
         */
        public String getDirectHost() {
            return container.getNetworkIpAddress();
        }

        /** The port the proxy listens on inside the container (for other containers on the same network). */
        public int getOriginalProxyPort() {
            return originalPort;
        }

        /** The client's handle on this proxy: enable/disable, upstream, connections, toxics. */
        public ProxyHandle handle() {
            return handle;
        }

        /** Shortcut for {@code handle().toxics()}. */
        public io.chaosproxy.client.Toxics toxics() {
            return handle.toxics();
        }

        @Override
        public String toString() {
            return "ChaosProxyContainer.Proxy[" + getName() + " " + host + ":" + mappedPort + " -> "
                    + handle.upstream() + "]";
        }
    }
}
