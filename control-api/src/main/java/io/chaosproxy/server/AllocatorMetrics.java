package io.chaosproxy.server;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * Memory held by Netty's default buffer allocator (every proxy's and the API's buffers), by Micrometer's own
 * binder: {@code netty_allocator_memory_used{memory_type="heap"}}, plus arena and cache gauges where the allocator
 * is pooled. Direct memory in use keeps the name the dashboards plot, {@code chaosproxy_buffers_direct_bytes}.
 */
final class AllocatorMetrics {
    /** The name dashboards/overview.json ("Direct buffer memory") queries; it predates Micrometer's binder. */
    static final String DASHBOARD_DIRECT = "chaosproxy.buffers.direct";
    private static final String USED = "netty.allocator.memory.used";

    private AllocatorMetrics() {
    }

    /** Call before any other meter is registered: a filter applies only to meters registered after it. */
    static void bindTo(MeterRegistry meters) {
        if (!(ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator)) {
            return;
        }
        meters.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!id.getName().equals(USED) || !"direct".equals(id.getTag("memory.type"))) {
                    return id;
                }
                // The binder sets no base unit; bytes gives the dashboards' "_bytes" suffix.
                return new Meter.Id(DASHBOARD_DIRECT, Tags.of(id.getTags()), BaseUnits.BYTES,
                        "direct memory held by the proxy's buffer allocator", id.getType());
            }
        });
        new NettyAllocatorMetrics(allocator).bindTo(meters);
    }
}
