package io.chaosproxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer while it ran. Registered for every test class through
 * JUnit's extension auto-detection. Leak reports only surface when a later allocation polls the detector's queue,
 * so this collects garbage and allocates a few buffers of each kind before looking.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (!FailingLeakDetector.reports().isEmpty()) {
            failWith(context);
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            Thread.sleep(50);
            pollDetectors();
        }
        failWith(context);
    }

    private static void pollDetectors() {
        List<ByteBufAllocator> allocators = List.of(ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT,
                UnpooledByteBufAllocator.DEFAULT);
        for (ByteBufAllocator allocator : allocators) {
            for (int i = 0; i < 4; i++) {
                ByteBuf direct = allocator.directBuffer(64);
                direct.release();
                ByteBuf heap = allocator.heapBuffer(64);
                heap.release();
            }
        }
    }

    private static void failWith(ExtensionContext context) {
        List<String> reports = FailingLeakDetector.reports();
        if (reports.isEmpty()) {
            return;
        }
        FailingLeakDetector.clear();
        throw new AssertionError(reports.size() + " Netty buffer leak(s) reported during "
                + context.getDisplayName() + ":\n" + String.join("\n\n", reports));
    }
}
