package io.chaosproxy.assertj;

import io.chaosproxy.client.ConnectionInfo;
import java.util.List;

/** Failure-message text: the timelines of some connections, each after a line break. */
final class Timelines {
    private Timelines() {
    }

    static String of(List<ConnectionInfo> connections) {
        StringBuilder sb = new StringBuilder(connections.isEmpty() ? "" : ":");
        connections.forEach(c -> sb.append(System.lineSeparator()).append(c.timeline()));
        return sb.toString();
    }
}
