package io.chaosproxy.server;

import io.chaosproxy.api.ApiLimits;
import io.chaosproxy.api.ApiSecurity;
import io.chaosproxy.config.ConfigLoader;
import io.chaosproxy.demo.DemoUpstream;
import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.engine.Transport;
import io.chaosproxy.engine.TransportKind;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.engine.Proxy;
import io.chaosproxy.engine.ProxyException;
import io.chaosproxy.engine.ProxySpec;
import io.chaosproxy.scenario.ScenarioCommand;
import io.chaosproxy.scenario.ScenarioHost;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The command line: {@code java -jar chaos-proxy.jar [options]}. */
@Command(name = "chaos-proxy", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A TCP chaos proxy with a Toxiproxy-compatible control API.", sortOptions = false)
public final class Main implements Callable<Integer>, ScenarioHost.Starter {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", description = "Address the control API listens on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Port of the control API (default: ${DEFAULT-VALUE}).")
    int port = 8474;

    @Option(names = "--config", paramLabel = "FILE",
            description = "JSON file of proxies (and their toxics) to create at start; Toxiproxy's format works.")
    Path config;

    @Option(names = "--demo", description = "Also start a demo HTTP upstream and a proxy named 'demo' in front of it.")
    boolean demo;

    @Option(names = "--connect-timeout", paramLabel = "MS",
            description = "How long a dial to an upstream may take before the client is reset (default: ${DEFAULT-VALUE} ms).")
    int connectTimeoutMillis = 10_000;

    @Option(names = "--seed", description = "Seed every random choice (toxicity, jitter) so a run can be replayed.")
    Long seed;

    @Option(names = "--transport", paramLabel = "KIND", converter = TransportKindConverter.class,
            description = "I/O transport: auto (default: io_uring, else epoll, else nio), io_uring, epoll or nio.")
    TransportKind transport = TransportKind.AUTO;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Event loop threads forwarding the proxies' traffic (default: 0 = one per core).")
    int ioThreads;

    @Option(names = "--nio", description = "Same as --transport nio.")
    boolean nio;

    @Option(names = "--no-packet-engine",
            description = "Do not start the NFQUEUE packet engine (it needs Linux, CAP_NET_ADMIN and iptables).")
    boolean noPacketEngine;

    @Option(names = "--keep-closed", paramLabel = "N",
            description = "Closed connections each proxy keeps for GET /proxies/{p}/connections (default: ${DEFAULT-VALUE}).")
    int keepClosed = 100;

    @Option(names = "--tcp-info-sample-every", paramLabel = "N",
            description = "Take a connection's closing TCP_INFO sample (the chaosproxy_tcp_* metrics) on one "
                    + "connection in N per proxy; 1 = every connection. Connections open when the 5 s sampler runs "
                    + "are always sampled (default: ${DEFAULT-VALUE}).")
    int tcpInfoSampleEvery = EngineConfig.DEFAULT_TCP_INFO_SAMPLE_EVERY;

    @Option(names = "--cds-training",
            description = "Start on a free port, exercise the API and a proxy once, then exit: the training run that"
                    + " writes a class-data archive for faster starts (with -XX:ArchiveClassesAtExit=FILE; see the"
                    + " README, \"Faster start\").")
    boolean cdsTraining;

    @Mixin
    ApiSecurityOptions apiSecurity = new ApiSecurityOptions();

    @Option(names = "--api-max-connections", paramLabel = "N",
            description = "Control API connections open at once; beyond it a client gets 503 (default: ${DEFAULT-VALUE}).")
    int apiMaxConnections = ApiLimits.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--api-max-event-streams", paramLabel = "N",
            description = "/events subscribers at once, within --api-max-connections; beyond it 503 (default: 64, or"
                    + " --api-max-connections if lower).")
    Integer apiMaxEventStreams;

    public static void main(String[] args) {
        nettyJfrEventsOffUnlessAsked();
        leakDetectionOffUnlessAsked();
        StartupWarmUp.startInBackground(args);
        System.exit(execute(args));
    }

    /**
     * Netty's default leak detection tracks one buffer in 128 with a stack trace each; under connection churn that
     * was 0.5 % of the proxy's CPU (profiled with perf). The test suite runs every buffer at {@code paranoid} and fails
     * on a leak, so the shipped server turns sampling off unless the user asks for a level:
     * {@code java -Dio.netty.leakDetection.level=simple -jar chaos-proxy.jar}.
     */
    static void leakDetectionOffUnlessAsked() {
        if (!leakDetectionAsked(System.getProperty("io.netty.leakDetection.level"),
                System.getProperty("io.netty.leakDetectionLevel"))) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    /**
     * Netty's buffer allocator emits JFR events when JFR is available; the first allocation then loads the event
     * classes, and the first class extending {@code jdk.jfr.Event} starts JFR's metadata machinery: 100-170 ms of
     * the first API answer on this machine, for events only a running recording would keep. Off unless the user
     * asks: {@code java -Dio.netty.jfr.enabled=true -jar chaos-proxy.jar}. Set before Netty's classes load.
     */
    static void nettyJfrEventsOffUnlessAsked() {
        if (System.getProperty(NETTY_JFR) == null) {
            System.setProperty(NETTY_JFR, "false");
        }
    }

    static final String NETTY_JFR = "io.netty.jfr.enabled";

    /** More event loops than this only add threads: each is a core's worth of work at most. */
    static final int MAX_IO_THREADS = 1024;

    /** Whether the user set a level, by Netty's property or its older name. */
    static boolean leakDetectionAsked(String level, String legacyLevel) {
        return level != null || legacyLevel != null;
    }

    /** Turns {@code --transport} text into a kind; picocli reports the message against the option. */
    static final class TransportKindConverter implements CommandLine.ITypeConverter<TransportKind> {
        @Override
        public TransportKind convert(String value) {
            try {
                return TransportKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The whole command line: the server's options and the {@code scenario} commands. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main()).addSubcommand(ScenarioCommand.class);
    }

    /**
     * Runs the command line as {@link #commandLine()} would, but starts a server without building the
     * {@code scenario} commands' model: picocli reads every option of every command by reflection when it builds
     * one (the scenario commands were 12 ms of its 95 ms of CPU here). Only a clean server start takes the short
     * way; help, version, a subcommand or any mistake (while parsing, or found by {@link #call()} before it starts
     * anything) is handed to the whole command line, which answers exactly as before.
     */
    static int execute(String[] args) {
        CommandLine server = new CommandLine(new Main());
        CommandLine.ParseResult parsed;
        try {
            parsed = server.parseArgs(args);
        } catch (ParameterException notForTheServerAlone) {
            return commandLine().execute(args);
        }
        if (parsed.isUsageHelpRequested() || parsed.isVersionHelpRequested()) {
            return commandLine().execute(args);
        }
        server.setParameterExceptionHandler((mistake, sameArgs) -> commandLine().execute(sameArgs));
        return server.execute(args);
    }

    @Override
    public Integer call() {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        }
        if (connectTimeoutMillis <= 0) {
            throw new ParameterException(spec.commandLine(), "--connect-timeout must be a positive number of ms");
        }
        if (keepClosed < 0 || keepClosed > 100_000) {
            throw new ParameterException(spec.commandLine(), "--keep-closed must be between 0 and 100000");
        }
        if (tcpInfoSampleEvery < 1 || tcpInfoSampleEvery > 1_000_000) {
            throw new ParameterException(spec.commandLine(), "--tcp-info-sample-every must be between 1 and 1000000");
        }
        if (ioThreads < 0 || ioThreads > MAX_IO_THREADS) {
            throw new ParameterException(spec.commandLine(), "--io-threads must be between 0 (one per core) and "
                    + MAX_IO_THREADS + ", got " + ioThreads);
        }
        if (apiMaxConnections < 1 || apiMaxConnections > 65_536) {
            throw new ParameterException(spec.commandLine(), "--api-max-connections must be between 1 and 65536");
        }
        int eventStreams = apiMaxEventStreams == null
                ? Math.min(ApiLimits.DEFAULT_MAX_EVENT_STREAMS, apiMaxConnections) : apiMaxEventStreams;
        if (eventStreams < 0 || eventStreams > apiMaxConnections) {
            throw new ParameterException(spec.commandLine(),
                    "--api-max-event-streams must be between 0 and --api-max-connections (" + apiMaxConnections + ")");
        }
        ApiLimits apiLimits = ApiLimits.defaults().withMaxConnections(apiMaxConnections)
                .withMaxEventStreams(eventStreams);
        StartupWarmUp.awaitNetty(); // never initialise Netty's classes on two threads at once
        TransportKind kind = nio ? TransportKind.NIO : transport;
        if (nio && transport != TransportKind.AUTO && transport != TransportKind.NIO) {
            throw new ParameterException(spec.commandLine(), "--nio and --transport " + transport.label()
                    + " contradict each other: give one");
        }
        Throwable unavailable = Transport.unavailabilityCause(kind);
        if (unavailable != null) {
            System.err.println("chaos-proxy: --transport " + kind.label() + " is not available here: "
                    + unavailable.getMessage() + " (use --transport auto)");
            return 2;
        }
        ApiSecurity security = apiSecurity.toApiSecurity(spec.commandLine(), System.getenv());
        EngineConfig engineConfig = EngineConfig.defaults().withConnectTimeoutMillis(connectTimeoutMillis)
                .withSeed(seed).withTransport(kind).withClosedConnectionsKept(keepClosed)
                .withTcpInfoSampleEvery(tcpInfoSampleEvery).withIoThreads(ioThreads);
        ChaosProxyServer server;
        try {
            server = new ChaosProxyServer(host, cdsTraining ? 0 : port, engineConfig, !noPacketEngine, security,
                    apiLimits);
        } catch (IllegalStateException e) {
            System.err.println("chaos-proxy: " + e.getMessage() + " (see --host, --port)");
            return 1;
        }
        if (cdsTraining) {
            List<String> failed = CdsTraining.exercise(server, security.apiToken());
            server.close();
            for (String step : failed) {
                spec.commandLine().getErr().println("chaos-proxy: --cds-training: " + step);
            }
            spec.commandLine().getOut().println("--cds-training: done" + (failed.isEmpty() ? "" : ", "
                    + failed.size() + " steps failed") + "; the JVM writes its class-data archive as it exits");
            return failed.isEmpty() ? 0 : 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "chaos-shutdown"));
        String packetWhyNot = server.engine().packetFaults().unavailableReason();
        System.out.println("chaos-proxy " + ChaosProxyServer.version() + " control API on http://"
                + new HostPort(host, server.apiAddress().getPort()) + " (transport: "
                + server.engine().transport().name() + "; "
                + (packetWhyNot == null ? "packet engine on" : packetWhyNot) + ")");
        if (security.apiToken() != null) {
            System.out.println("the control API requires its token (Authorization: Bearer ...)");
        }
        if (config != null) {
            try {
                int n = ConfigLoader.load(config, server.registry());
                System.out.println("loaded " + n + " prox" + (n == 1 ? "y" : "ies") + " from " + config);
            } catch (ConfigLoader.ConfigException e) {
                System.err.println("chaos-proxy: --config " + e.getMessage());
                server.close();
                return 2;
            }
        }
        if (demo) {
            startDemo(server);
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void startDemo(ChaosProxyServer server) {
        DemoUpstream upstream = new DemoUpstream(server.engine().transport().group(),
                server.engine().transport().serverChannelClass());
        HostPort upstreamAddress = new HostPort("127.0.0.1", upstream.port());
        Proxy proxy;
        try {
            proxy = server.registry().create(new ProxySpec("demo", new HostPort("127.0.0.1", 8475), upstreamAddress,
                    true));
        } catch (ProxyException taken) {
            proxy = server.registry().create(new ProxySpec("demo", new HostPort("127.0.0.1", 0), upstreamAddress,
                    true));
        }
        String api = "127.0.0.1:" + server.apiAddress().getPort();
        System.out.println("demo: upstream HTTP server on " + upstreamAddress + ", proxy 'demo' on "
                + proxy.listenText());
        System.out.println("  curl " + proxy.listenText() + "                        # through the proxy");
        System.out.println("  curl -X POST " + api + "/proxies/demo/toxics -d "
                + "'{\"type\":\"latency\",\"attributes\":{\"latency\":1000}}'   # now every answer is 1 s late");
        System.out.println("  curl -X DELETE " + api + "/proxies/demo/toxics/latency_downstream   # back to normal");
    }

    /** For {@code scenario run}: the scenario package cannot build a chaos-proxy itself (it sits below this one). */
    @Override
    public ScenarioHost start(EngineConfig config, boolean packetEngine) {
        ChaosProxyServer server = new ChaosProxyServer("127.0.0.1", 0, config, packetEngine);
        return new ScenarioHost(server.registry(), server::close);
    }

    @Override
    public String version() {
        return ChaosProxyServer.version();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"chaos-proxy " + ChaosProxyServer.version()};
        }
    }
}
