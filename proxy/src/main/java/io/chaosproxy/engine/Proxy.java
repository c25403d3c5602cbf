package io.chaosproxy.engine;

import io.chaosproxy.model.CloseReason;
import io.chaosproxy.model.HostPort;
import io.chaosproxy.model.Leg;
import io.chaosproxy.timeline.ConnectionSummary;
import io.chaosproxy.timeline.RecentConnections;
import io.chaosproxy.model.Direction;
import io.chaosproxy.toxic.Toxic;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Map;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A named listener with an upstream, its open connections and its toxics. Changes come from {@link ProxyRegistry}
 * (one control thread at a time); connections read the current settings on their own event loops.
 */
public final class Proxy {
    private final ProxyEngine engine;
    private final String name;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong acceptedCount = new AtomicLong();
    private final RecentConnections recentlyClosed;
    /**
     * Registered at the first connection, not when the proxy is built: a proxy whose creation fails (a busy port)
     * must leave no series behind. Set on any event loop; two loops racing get the same counter from the registry.
     */
    private volatile Counter upstreamBytes;
    private volatile Counter downstreamBytes;
    private volatile HostPort listen;
    private volatile Upstream upstream;

    /**
     * The upstream as a dial needs it, made once per change rather than once per dial: its text for the timeline and,
     * when its host is an IP address, the socket address itself (null for a name, which each dial looks up anew).
     */
    record Upstream(HostPort address, String text, InetSocketAddress literal) {
        static Upstream of(HostPort address) {
            return new Upstream(address, address.toString(), UpstreamResolver.literal(address));
        }
    }
    private volatile boolean enabled;
    private volatile InetSocketAddress boundAddress;
    private volatile List<Toxic> toxics = List.of();
    /** Read TLS handshakes (timeline, metrics) even without a TLS toxic. */
    private volatile boolean tlsAware;
    /** Whether {@link #toxics} has a TLS toxic: decided when the toxics change, not per connection. */
    private volatile boolean hasTlsToxic;
    private Channel listener;

    Proxy(ProxyEngine engine, ProxySpec spec) {
        this.engine = engine;
        this.name = spec.name();
        this.listen = spec.listen();
        this.upstream = Upstream.of(spec.upstream());
        this.enabled = spec.enabled();
        this.recentlyClosed = new RecentConnections(engine.config().closedConnectionsKept());
    }

    public String name() {
        return name;
    }

    public boolean enabled() {
        return enabled;
    }

    public HostPort upstreamAddress() {
        return upstream.address();
    }

    /** The upstream and its text, read together (a dial names in the timeline exactly what it dials). */
    Upstream upstream() {
        return upstream;
    }

    /** The address actually bound (port 0 resolved), or what was asked for while disabled. */
    public String listenText() {
        InetSocketAddress bound = boundAddress;
        if (bound == null) {
            return listen.toString();
        }
        String host = bound.getAddress().getHostAddress();
        if (bound.getAddress().isAnyLocalAddress() && listen.anyHost()) {
            host = "";
        }
        return new HostPort(host.contains("%") ? host.substring(0, host.indexOf('%')) : host, bound.getPort())
                .toString();
    }

    /** The address the listener is bound to, or null while disabled. */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    public boolean tlsAware() {
        return tlsAware;
    }

    /** Whether new connections need the TLS reader: a TLS toxic (armed or scheduled), or tls_aware. */
    boolean wantsTlsReader() {
        return tlsAware || hasTlsToxic;
    }

    /** Marks the proxy tls_aware (its new connections get the TLS reader); open connections keep what they have. */
    public void tlsAware(boolean aware) {
        this.tlsAware = aware;
    }

    public List<Toxic> toxicsSnapshot() {
        return toxics;
    }

    public int openConnections() {
        return connections.size();
    }

    ProxyEngine engine() {
        return engine;
    }

    Counter bytesCounter(Direction direction) {
        Counter c = direction == Direction.UPSTREAM ? upstreamBytes : downstreamBytes;
        if (c == null) {
            c = engine.metrics().bytes(name, direction.jsonName());
            if (direction == Direction.UPSTREAM) {
                upstreamBytes = c;
            } else {
                downstreamBytes = c;
            }
        }
        return c;
    }

    // ---- listener lifecycle (control thread) ----

    /** Binds the listener; throws LISTEN_FAILED with the OS message when the address is taken. */
    void startListening() {
        startListening(listen);
    }

    private void startListening(HostPort address) {
        Transport transport = engine.transport();
        InetSocketAddress bindTo = address.anyHost() ? new InetSocketAddress(address.port())
                : new InetSocketAddress(address.host(), address.port());
        if (bindTo.isUnresolved()) {
            throw new ProxyException(ProxyException.Kind.LISTEN_FAILED,
                    "listen " + address + ": unknown host " + address.host());
        }
        ServerChannel server = transport.newServerChannel(bindTo.getAddress());
        server.config().setOption(ChannelOption.SO_BACKLOG, 1024);
        server.config().setOption(ChannelOption.SO_REUSEADDR, true);
        server.config().setAutoRead(false); // ClientAcceptor asks for each batch of accepts (see AcceptBackoff)
        server.pipeline().addLast(new ClientAcceptor(this));
        ChannelFuture bound = transport.group().register(server).awaitUninterruptibly();
        if (bound.isSuccess()) {
            bound = server.bind(bindTo).awaitUninterruptibly();
        }
        if (!bound.isSuccess()) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw new ProxyException(ProxyException.Kind.LISTEN_FAILED,
                    "listen tcp " + address + ": " + bound.cause().getMessage());
        }
        this.listener = server;
        this.boundAddress = (InetSocketAddress) listener.localAddress();
        // Like Toxiproxy: once a free port is chosen, it is this proxy's port, so disable + enable keeps it.
        this.listen = address.port() == 0 ? new HostPort(address.host(), boundAddress.getPort()) : address;
    }

    void stopListening() {
        if (listener != null) {
            closeListener(listener);
            listener = null;
            boundAddress = null;
        }
    }

    /** A client was accepted: its connection, which starts once the channel is registered with {@code loop}. */
    Connection newConnection(Channel client, EventLoop loop) {
        long index = acceptedCount.getAndIncrement();
        Long seed = engine.config().seed();
        long randomSeed = seed == null ? java.util.concurrent.ThreadLocalRandom.current().nextLong()
                : seed * 1_000_003L + name.hashCode() * 31L + index;
        Connection connection = new Connection(this, index + 1, client, loop, randomSeed);
        connections.add(connection);
        client.pipeline().addLast(new LegHandler(connection, Leg.CLIENT));
        return connection;
    }

    /**
     * Moves a connection from the open set to the recently closed. The closed record is kept first and the open
     * entry removed after it: a listing in between shows the connection twice (the closed record wins, see
     * {@link #connectionSummaries}) rather than not at all. Called once per connection, from its own event loop
     * (or, when its registration failed, from the registration's listener); a second call finds it gone.
     */
    void forget(Connection connection) {
        if (connections.contains(connection)) {
            recentlyClosed.add(connection.closedSummary());
            connections.remove(connection);
        }
    }

    /** Open connections (oldest first), then the most recently closed ones, each with its timeline. */
    public List<ConnectionSummary> connectionSummaries() {
        List<Connection> open = connections();
        open.sort(java.util.Comparator.comparingLong(Connection::id));
        List<ConnectionSummary> out = new ArrayList<>();
        open.forEach(c -> out.add(c.summary()));
        // A connection closing right now may be in both lists; its closed record wins.
        List<ConnectionSummary> closed = recentlyClosed.snapshot();
        java.util.Set<Long> closedIds = new java.util.HashSet<>();
        closed.forEach(c -> closedIds.add(c.id()));
        out.removeIf(c -> closedIds.contains(c.id()));
        out.addAll(closed);
        return out;
    }

    /** Asks every open connection for a TCP_INFO sample (on its own event loop). */
    void sampleOpenConnections() {
        for (Connection c : connections) {
            c.sampleTcpInfoLater();
        }
    }

    List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    // ---- changes (control thread, serialized by the registry) ----

    void enable() {
        if (!enabled) {
            startListening();
            enabled = true;
        }
    }

    /**
     * Enables a disabled proxy, at {@code newListen} if given: the listen address is stored only once the bind has
     * succeeded, so a failed enable leaves the proxy disabled where it was.
     */
    void enableAt(HostPort newListen) {
        if (enabled) {
            return;
        }
        startListening(newListen == null ? listen : newListen);
        enabled = true;
    }

    void disable() {
        if (enabled) {
            enabled = false;
            stopListening();
        }
        closeConnections(CloseReason.PROXY_DISABLED);
    }

    /**
     * Closes every open connection and returns once their channels are closed (bounded), so a caller that stops the
     * event loops next (shutdown) never leaves a channel with a read in flight: the io_uring transport does not get
     * such a read's buffer back once its loop is gone.
     */
    void closeConnections(CloseReason why) {
        List<Connection> open = connections();
        for (Connection c : open) {
            c.closeFromControl(why);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Connection c : open) {
            c.awaitClosed(Math.max(0, deadline - System.nanoTime()));
        }
    }

    /** Moves the listener: binds the new address first, so a failure leaves the old one in place. */
    void changeListen(HostPort newListen) {
        if (!enabled) {
            listen = newListen;
            return;
        }
        Channel old = listener;
        InetSocketAddress oldBound = boundAddress;
        listener = null;
        try {
            startListening(newListen);
        } catch (ProxyException e) {
            listener = old;
            boundAddress = oldBound;
            throw e;
        }
        closeListener(old);
    }

    /**
     * Closes a listening channel and returns once the port refuses connections. On NIO the JDK closes a socket
     * registered with a selector only at that selector's next select. A task scheduled on the loop runs only after
     * the loop has selected again (scheduled tasks are taken at the start of a task batch, and every batch follows
     * a select), so waiting for one waits for the real close.
     */
    private static void closeListener(Channel channel) {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        channel.eventLoop().schedule(() -> { }, 1, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    void changeUpstream(HostPort newUpstream) {
        this.upstream = Upstream.of(newUpstream);
    }

    void setToxics(List<Toxic> newToxics, Consumer<Connection> applyToOpenConnection) {
        this.toxics = List.copyOf(newToxics);
        this.hasTlsToxic = newToxics.stream().anyMatch(t -> t.type() instanceof io.chaosproxy.toxic.TlsToxicType);
        // Wait (briefly) until every open connection has the change, so when the API answers, it holds: bytes
        // read after a DELETE returns are never hit by the removed toxic.
        // One task per event loop, not per connection: with a thousand open connections a reset stays one
        // wake-up per loop (it must answer at once, whatever the proxies are doing).
        Map<EventLoop, List<Connection>> byLoop = new HashMap<>();
        for (Connection c : connections()) {
            byLoop.computeIfAbsent(c.eventLoop(), loop -> new ArrayList<>()).add(c);
        }
        List<io.netty.util.concurrent.Future<?>> applied = new ArrayList<>();
        for (Map.Entry<EventLoop, List<Connection>> e : byLoop.entrySet()) {
            List<Connection> onLoop = e.getValue();
            io.netty.util.concurrent.Future<?> f = e.getKey().submit(() -> onLoop.forEach(applyToOpenConnection));
            if (!e.getKey().inEventLoop()) {
                applied.add(f);
            }
        }
        for (io.netty.util.concurrent.Future<?> f : applied) {
            f.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Whether {@code wanted} is where this proxy listens already: as configured, or as actually bound. */
    boolean listensOn(HostPort wanted) {
        return wanted.equals(listen) || wanted.toString().equals(listenText());
    }
}
