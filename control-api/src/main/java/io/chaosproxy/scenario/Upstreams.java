package io.chaosproxy.scenario;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/** Upstream addresses that fail in a real way, with no firewall rule: a closed port and a full accept queue. */
final class Upstreams {
    private Upstreams() {
    }

    /** A loopback port nothing listens on (bound, then closed): a SYN to it is answered with an RST. */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A listener that never accepts, with a backlog of 1 filled by connections of its own: Linux drops a SYN
     * while the accept queue is full (the listen-overflow counter grows), so a dial to it hears nothing at all.
     */
    static final class Blackhole implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> fillers = new ArrayList<>();

        Blackhole() throws IOException {
            listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            for (int i = 0; i < 8; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 300);
                    fillers.add(s);
                } catch (SocketTimeoutException full) {
                    s.close();
                    return;
                }
            }
            throw new IOException("could not fill the accept queue of a backlog-1 listener");
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() {
            for (Socket s : fillers) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            try {
                listener.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
