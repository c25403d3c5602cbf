package io.chaosproxy.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.ManagementFactory;

/**
 * Bytes the JVM has allocated on the heap since start, all threads together ({@code
 * chaosproxy_jvm_allocated_bytes_total}). Micrometer's GC metrics count allocation only at each collection, so a
 * short run reads zero or one young generation's worth; this reads the JVM's exact running total, which is what the
 * benchmark divides by the connections it made (bytes allocated per proxied connection), and what shows an
 * allocation rate on a dashboard. Absent where the JVM cannot count (then nothing is registered).
 */
final class AllocationMetrics implements MeterBinder {
    static final String ALLOCATED = "chaosproxy.jvm.allocated";

    @Override
    public void bindTo(MeterRegistry registry) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported()) {
            return;
        }
        if (!threads.isThreadAllocatedMemoryEnabled()) {
            threads.setThreadAllocatedMemoryEnabled(true);
        }
        FunctionCounter.builder(ALLOCATED, threads, com.sun.management.ThreadMXBean::getTotalThreadAllocatedBytes)
                .baseUnit("bytes").description("heap bytes allocated by all threads since the JVM started")
                .register(registry);
    }
}
