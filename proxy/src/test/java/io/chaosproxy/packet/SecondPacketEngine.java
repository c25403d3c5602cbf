package io.chaosproxy.packet;

import io.chaosproxy.toxic.PacketFaults;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A second chaos-proxy's packet engine in a process of its own (started by {@link PacketScopingTest} in the test's
 * network namespace): starts, which runs the start-up clean-up of stale rules, says so, and closes.
 */
public final class SecondPacketEngine {
    private SecondPacketEngine() {
    }

    public static void main(String[] args) {
        try (PacketFaults faults = PacketEngine.start(new SimpleMeterRegistry())) {
            System.out.println(faults.available() ? "started" : "unavailable: " + faults.unavailableReason());
        }
    }
}
