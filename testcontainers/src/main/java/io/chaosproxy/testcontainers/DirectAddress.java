package io.chaosproxy.testcontainers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Whether a container's own address answers from where the test runs. */
final class DirectAddress {
    private static final int CONNECT_TIMEOUT_MILLIS = 500;

    private DirectAddress() {
    }

    static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
