package io.chaosproxy.api;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A few file descriptors held in reserve (open on {@code /dev/null}) so the control API can still accept a
 * connection, and answer it 503, when the process is at its descriptor limit: the API gives one back to the kernel
 * just before accepting again, and takes it back once that connection is closed. Thread-safe.
 */
final class DescriptorReserve {
    private static final Path NULL_DEVICE = Path.of("/dev/null");

    private final int size;
    private final Deque<FileChannel> held = new ArrayDeque<>();

    DescriptorReserve(int size) {
        this.size = size;
        refill();
    }

    /** Closes one held descriptor, so the next accept can have it; false when none is left. */
    synchronized boolean release() {
        FileChannel spare = held.poll();
        if (spare == null) {
            return false;
        }
        try {
            spare.close();
        } catch (IOException e) {
            // closed either way
        }
        return true;
    }

    /** Takes descriptors back up to the reserve's size, as far as the process has free ones. */
    synchronized void refill() {
        while (held.size() < size) {
            try {
                held.push(FileChannel.open(NULL_DEVICE, StandardOpenOption.READ));
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return; // still out of descriptors (or no /dev/null): try again later
            }
        }
    }

    synchronized boolean full() {
        return held.size() >= size;
    }

    synchronized void close() {
        while (release()) {
            // release every one
        }
    }
}
