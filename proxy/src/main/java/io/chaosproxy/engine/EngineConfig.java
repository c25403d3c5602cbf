package io.chaosproxy.engine;

/**
 * Engine-wide settings.
 *
 * @param connectTimeoutMillis how long a dial to an upstream may take before the client is reset
 * @param writeBufferLowBytes a receiving socket becomes writable again below this many queued bytes
 * @param writeBufferHighBytes above this many bytes queued for a slow receiver, the proxy stops reading the sender
 * @param maxHeldBytes the most bytes the toxics of one direction may hold (e.g. in flight under latency) before
 *     the proxy stops reading the sender
 * @param ioThreads event loop threads; 0 = number of cores
 * @param transport the I/O transport; {@link TransportKind#AUTO} picks io_uring, else epoll, else NIO
 * @param seed when set, every random choice (toxicity, jitter) is derived from it, so a run can be replayed
 * @param closedConnectionsKept how many closed connections each proxy keeps for {@code GET .../connections}
 * @param tcpInfoSampleEvery a connection's closing TCP_INFO sample is taken on one connection in this many (the
 *     first of each proxy, then every N-th; 1 = all). Reading TCP_INFO costs two system calls and six meter updates
 *     per connection and only feeds histograms, which stay representative when sampled; connections still open
 *     when the periodic sampler runs are always sampled, at close too.
 */
public record EngineConfig(int connectTimeoutMillis, int writeBufferLowBytes, int writeBufferHighBytes,
        long maxHeldBytes, int ioThreads, TransportKind transport, Long seed, int closedConnectionsKept,
        int tcpInfoSampleEvery) {

    /** The default of {@link #tcpInfoSampleEvery}. */
    public static final int DEFAULT_TCP_INFO_SAMPLE_EVERY = 16;

    public EngineConfig {
        if (tcpInfoSampleEvery < 1) {
            throw new IllegalArgumentException("tcpInfoSampleEvery must be at least 1");
        }
    }

    public EngineConfig(int connectTimeoutMillis, int writeBufferLowBytes, int writeBufferHighBytes,
            long maxHeldBytes, int ioThreads, TransportKind transport, Long seed, int closedConnectionsKept) {
        this(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes, ioThreads,
                transport, seed, closedConnectionsKept, DEFAULT_TCP_INFO_SAMPLE_EVERY);
    }

    public EngineConfig(int connectTimeoutMillis, int writeBufferLowBytes, int writeBufferHighBytes,
            long maxHeldBytes, int ioThreads, TransportKind transport, Long seed) {
        this(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes, ioThreads,
                transport, seed, 100);
    }

    public static EngineConfig defaults() {
        return new EngineConfig(10_000, 256 * 1024, 1024 * 1024, 32L * 1024 * 1024, 0, TransportKind.AUTO, null, 100);
    }

    public EngineConfig withTcpInfoSampleEvery(int every) {
        return new EngineConfig(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes,
                ioThreads, transport, seed, closedConnectionsKept, every);
    }

    /** Whether the connection with this per-proxy id (1, 2, ...) takes its closing TCP_INFO sample. */
    boolean takesClosingTcpInfoSample(long connectionId) {
        return (connectionId - 1) % tcpInfoSampleEvery == 0;
    }

    public EngineConfig withClosedConnectionsKept(int kept) {
        return new EngineConfig(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes,
                ioThreads, transport, seed, kept, tcpInfoSampleEvery);
    }

    public EngineConfig withConnectTimeoutMillis(int millis) {
        return new EngineConfig(millis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes, ioThreads,
                transport, seed, closedConnectionsKept, tcpInfoSampleEvery);
    }

    public EngineConfig withSeed(Long newSeed) {
        return new EngineConfig(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes,
                ioThreads, transport, newSeed, closedConnectionsKept, tcpInfoSampleEvery);
    }

    public EngineConfig withIoThreads(int threads) {
        return new EngineConfig(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes,
                threads, transport, seed, closedConnectionsKept, tcpInfoSampleEvery);
    }

    public EngineConfig withTransport(TransportKind kind) {
        return new EngineConfig(connectTimeoutMillis, writeBufferLowBytes, writeBufferHighBytes, maxHeldBytes,
                ioThreads, kind, seed, closedConnectionsKept, tcpInfoSampleEvery);
    }
}
