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

    Future<InetSocketAddress> resolve(HostPort target, EventLoop loop) {
        String host = target.anyHost() ? "127.0.0.1" : target.host();
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                return loop.newSucceededFuture(new InetSocketAddress(InetAddress.getByAddress(literal), target.port()));
            } catch (UnknownHostException impossible) {
                return loop.newFailedFuture(impossible);
            }
        }
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
