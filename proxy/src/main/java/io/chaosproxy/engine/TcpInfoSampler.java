package io.chaosproxy.engine;

import io.chaosproxy.model.Leg;
import io.chaosproxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.uring.IoUringTcpInfo;

/**
 * Reads the kernel's TCP_INFO of both legs of one connection (io_uring and epoll transports; NIO cannot) and turns
 * it into per-proxy metrics: RTT figures as histograms, retransmissions and losses as counters of what is new since
 * the last sample, so no series is ever per connection.
 */
final class TcpInfoSampler {
    /** How often an open connection is sampled; plus once at close. */
    static final long INTERVAL_MILLIS = 5_000;

    /** Linux's TCP_CLOSE: what a socket becomes when the peer's RST arrives. */
    private static final int TCP_CLOSE = 7;

    private final ProxyMetrics.TcpInfoMeters[] meters;
    private final long[] lastRetrans = new long[2];
    private final long[] lastLost = new long[2];
    private final boolean[] finalTaken = new boolean[2];
    private EpollTcpInfo epollInfo;
    private IoUringTcpInfo uringInfo;

    TcpInfoSampler(String proxy, ProxyMetrics metrics) {
        this.meters = new ProxyMetrics.TcpInfoMeters[] {metrics.tcpInfoMeters(proxy, Leg.CLIENT),
                metrics.tcpInfoMeters(proxy, Leg.SERVER)};
    }

    static boolean supported(Channel channel) {
        return channel instanceof EpollSocketChannel || channel instanceof IoUringSocketChannel;
    }

    /**
     * Whether the kernel has closed this socket under us, which for a socket we have not closed means the peer
     * reset it. Reads cannot tell once the peer's FIN has arrived: Linux then reports end-of-stream, not the reset.
     */
    static boolean resetByPeer(Channel channel) {
        if (!channel.isOpen()) {
            return false;
        }
        try {
            if (channel instanceof EpollSocketChannel) {
                return ((EpollSocketChannel) channel).tcpInfo().state() == TCP_CLOSE;
            }
            if (channel instanceof IoUringSocketChannel) {
                return ((IoUringSocketChannel) channel).tcpInfo().state() == TCP_CLOSE;
            }
            return false;
        } catch (RuntimeException closedMeanwhile) {
            return false;
        }
    }

    /** Samples one leg; call on the channel's event loop while its socket is open. */
    void sample(Leg leg, Channel channel) {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (channel instanceof EpollSocketChannel) {
                EpollTcpInfo info = epollInfo == null ? epollInfo = new EpollTcpInfo() : epollInfo;
                ((EpollSocketChannel) channel).tcpInfo(info);
                record(leg, info.rtt(), info.rttvar(), info.totalRetrans(), info.lost(), info.sndCwnd());
            } else if (channel instanceof IoUringSocketChannel) {
                IoUringTcpInfo info = uringInfo == null ? uringInfo = new IoUringTcpInfo() : uringInfo;
                ((IoUringSocketChannel) channel).tcpInfo(info);
                record(leg, info.rtt(), info.rttvar(), info.totalRetrans(), info.lost(), info.sndCwnd());
            }
        } catch (RuntimeException closedMeanwhile) {
            // the socket closed between the check and the read: nothing to sample
        }
    }

    /**
     * A leg's closing sample, once: when our FIN reached it (its channel then closes by itself at its own FIN,
     * possibly before the connection ends), else when the connection ends.
     */
    void finalSample(Leg leg, Channel channel) {
        if (channel != null && !finalTaken[leg.ordinal()]) {
            finalTaken[leg.ordinal()] = true;
            sample(leg, channel);
        }
    }

    private void record(Leg leg, long rtt, long rttvar, long retrans, long lost, long cwnd) {
        int i = leg.ordinal();
        meters[i].record(rtt, rttvar, Math.max(0, retrans - lastRetrans[i]), Math.max(0, lost - lastLost[i]), cwnd);
        lastRetrans[i] = Math.max(lastRetrans[i], retrans);
        lastLost[i] = Math.max(lastLost[i], lost);
    }
}
