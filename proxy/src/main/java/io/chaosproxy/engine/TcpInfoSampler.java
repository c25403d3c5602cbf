package io.chaosproxy.engine;

import io.chaosproxy.metrics.ProxyMetrics;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;

/**
 * Reads the kernel's TCP_INFO of both legs of one connection (epoll transport only) and turns it into per-proxy
 * metrics: RTT figures as histograms, retransmissions and losses as counters of what is new since the last sample,
 * so no series is ever per connection.
 */
final class TcpInfoSampler {
    /** How often an open connection is sampled; plus once at close. */
    static final long INTERVAL_MILLIS = 5_000;

    private final String proxy;
    private final ProxyMetrics metrics;
    private final EpollTcpInfo info = new EpollTcpInfo();
    private final long[] lastRetrans = new long[2];
    private final long[] lastLost = new long[2];

    TcpInfoSampler(String proxy, ProxyMetrics metrics) {
        this.proxy = proxy;
        this.metrics = metrics;
    }

    static boolean supported(Channel channel) {
        return channel instanceof EpollSocketChannel;
    }

    /** Linux's TCP_CLOSE: what a socket becomes when the peer's RST arrives. */
    private static final int TCP_CLOSE = 7;

    /**
     * Whether the kernel has closed this socket under us, which for a socket we have not closed means the peer
     * reset it. Reads cannot tell once the peer's FIN has arrived: Linux then reports end-of-stream, not the reset.
     */
    static boolean resetByPeer(Channel channel) {
        if (!(channel instanceof EpollSocketChannel) || !channel.isOpen()) {
            return false;
        }
        try {
            return ((EpollSocketChannel) channel).tcpInfo().state() == TCP_CLOSE;
        } catch (RuntimeException closedMeanwhile) {
            return false;
        }
    }

    /** Samples one leg; call on the channel's event loop while its socket is open. */
    void sample(Leg leg, Channel channel) {
        if (!(channel instanceof EpollSocketChannel) || !channel.isOpen()) {
            return;
        }
        try {
            ((EpollSocketChannel) channel).tcpInfo(info);
        } catch (RuntimeException closedMeanwhile) {
            return;
        }
        int i = leg.ordinal();
        long retrans = info.totalRetrans();
        long lost = info.lost();
        metrics.tcpInfo(proxy, leg.label(), info.rtt(), info.rttvar(), Math.max(0, retrans - lastRetrans[i]),
                Math.max(0, lost - lastLost[i]), info.sndCwnd(), info.unacked());
        lastRetrans[i] = Math.max(lastRetrans[i], retrans);
        lastLost[i] = Math.max(lastLost[i], lost);
    }
}
