package io.chaosproxy.engine;

import io.chaosproxy.model.HostPort;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns an upstream {@code host:port} into an address without blocking an event loop: literal IPs at once, names
 * through the system resolver (hosts file, DNS, Docker's embedded DNS) on a small pool of its own.
 */
final class UpstreamResolver implements AutoCloseable {
    private final ExecutorService lookups = new ThreadPoolExecutor(0, 4, 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), new DefaultThreadFactory("chaos-dns", true));

    /** The target's address when its host is an IP address (nothing to look up), else null. */
    static InetSocketAddress literal(HostPort target) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(hostOf(target));
        if (literal == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(literal), target.port());
        } catch (UnknownHostException impossible) {
            return null; // a 4- or 16-byte array is always an address
        }
    }

    private static String hostOf(HostPort target) {
        return target.anyHost() ? "127.0.0.1" : target.host();
    }

    Future<InetSocketAddress> resolve(HostPort target, EventLoop loop) {
        InetSocketAddress known = literal(target);
        if (known != null) {
            return loop.newSucceededFuture(known);
        }
        String host = hostOf(target);
        Promise<InetSocketAddress> promise = loop.newPromise();
        lookups.execute(() -> {
            try {
                promise.trySuccess(new InetSocketAddress(InetAddress.getByName(host), target.port()));
            } catch (UnknownHostException | RuntimeException e) {
                promise.tryFailure(e);
            }
        });
        return promise;
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }
}
