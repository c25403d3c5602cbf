package io.chaosproxy.scenario;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The scenario's server: a plain {@link ServerSocket} on loopback whose every accepted connection is handled by a
 * {@link ServerScript} on a thread of its own, every step logged. Reads time out after {@link #READ_TIMEOUT_MS} so
 * no run waits forever; a write has no timeout in the JDK, so {@link #close()} closes the sockets to end one.
 */
final class ScenarioServer implements AutoCloseable {
    /** The server's read timeout (SO_TIMEOUT) unless a script sets its own. */
    static final int READ_TIMEOUT_MS = 5000;

    private final ServerSocket listener;
    private final StepLog log;
    private final ServerScript script;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ScenarioServer(ServerScript script, StepLog log) throws IOException {
        this.script = script;
        this.log = log;
        this.listener = new ServerSocket();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        acceptor = new Thread(this::acceptLoop, "scenario-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(s);
            log.add("accept() returned a connection from port " + s.getPort());
            Thread t = new Thread(() -> serve(s), "scenario-server-conn");
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            script.serve(s, new ServerIo(s, log));
        } catch (IOException | RuntimeException e) {
            log.add("failed: " + StepLog.describe(e));
        }
    }

    /** Waits (bounded) for the connection threads to finish their script. */
    void awaitScripts(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    t.join(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        awaitScripts(2000);
    }

    /** What one accepted connection does. */
    @FunctionalInterface
    interface ServerScript {
        void serve(Socket socket, ServerIo io) throws IOException;
    }
}
