package io.chaosproxy.packet;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One TCP segment as parsed from the copied start of an IPv4 or IPv6 packet: addresses, ports, flags, sequence
 * numbers, window, payload length and the SYN options. Parsing never throws; {@link #parse} returns null for
 * anything that is not TCP.
 */
record Segment(int ipVersion, InetAddress src, int srcPort, InetAddress dst, int dstPort, int flags, long seq,
        long ack, int window, int payloadLength, TcpOptions options) {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;

    /** The TCP options worth showing: MSS, window scale, SACK permitted, timestamps (-1 / false when absent). */
    record TcpOptions(int mss, int windowScale, boolean sackPermitted, long tsVal, long tsEcr) {
        static final TcpOptions NONE = new TcpOptions(-1, -1, false, -1, -1);

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            if (mss >= 0) {
                b.append("mss ").append(mss).append(',');
            }
            if (windowScale >= 0) {
                b.append("wscale ").append(windowScale).append(',');
            }
            if (sackPermitted) {
                b.append("sackOK,");
            }
            if (tsVal >= 0) {
                b.append("TS val ").append(tsVal).append(" ecr ").append(tsEcr).append(',');
            }
            return b.length() == 0 ? "" : b.substring(0, b.length() - 1);
        }
    }

    boolean is(int flag) {
        return (flags & flag) != 0;
    }

    /** The metric label of this segment: syn, synack, fin, rst or ack. */
    String kind() {
        if (is(RST)) {
            return "rst";
        }
        if (is(SYN)) {
            return is(ACK) ? "synack" : "syn";
        }
        if (is(FIN)) {
            return "fin";
        }
        return "ack";
    }

    /** tcpdump-style flags: S, S., F., R, P., . */
    String flagText() {
        StringBuilder b = new StringBuilder();
        if (is(SYN)) {
            b.append('S');
        }
        if (is(FIN)) {
            b.append('F');
        }
        if (is(RST)) {
            b.append('R');
        }
        if (is(PSH)) {
            b.append('P');
        }
        if (is(ACK)) {
            b.append('.');
        }
        return b.toString();
    }

    static Segment parse(byte[] p, int originalLength) {
        try {
            if (p.length < 1) {
                return null;
            }
            int version = (p[0] & 0xff) >> 4;
            int ipHeader;
            int totalLength;
            InetAddress src;
            InetAddress dst;
            if (version == 4) {
                if (p.length < 20 || (p[9] & 0xff) != 6) {
                    return null;
                }
                ipHeader = (p[0] & 0x0f) * 4;
                totalLength = u16(p, 2);
                src = address(p, 12, 4);
                dst = address(p, 16, 4);
            } else if (version == 6) {
                if (p.length < 40) {
                    return null;
                }
                int next = p[6] & 0xff;
                ipHeader = 40;
                // Skip the common extension headers (hop-by-hop, routing, destination options).
                while ((next == 0 || next == 43 || next == 60) && p.length >= ipHeader + 8) {
                    next = p[ipHeader] & 0xff;
                    ipHeader += ((p[ipHeader + 1] & 0xff) + 1) * 8;
                }
                if (next != 6) {
                    return null;
                }
                totalLength = 40 + u16(p, 4);
                src = address(p, 8, 16);
                dst = address(p, 24, 16);
            } else {
                return null;
            }
            if (totalLength == 0) {
                totalLength = originalLength; // GSO / jumbo packets may leave it zero
            }
            int t = ipHeader;
            if (p.length < t + 20) {
                return null;
            }
            int srcPort = u16(p, t);
            int dstPort = u16(p, t + 2);
            long seq = u32(p, t + 4);
            long ack = u32(p, t + 8);
            int dataOffset = ((p[t + 12] & 0xff) >> 4) * 4;
            int flags = p[t + 13] & 0xff;
            int window = u16(p, t + 14);
            int payload = Math.max(0, totalLength - ipHeader - dataOffset);
            TcpOptions options = options(p, t + 20, Math.min(p.length, t + dataOffset));
            return new Segment(version, src, srcPort, dst, dstPort, flags, seq, ack, window, payload, options);
        } catch (RuntimeException | UnknownHostException e) {
            return null;
        }
    }

    private static TcpOptions options(byte[] p, int from, int to) {
        int mss = -1;
        int wscale = -1;
        boolean sack = false;
        long tsVal = -1;
        long tsEcr = -1;
        int i = from;
        while (i < to) {
            int kind = p[i] & 0xff;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= to) {
                break;
            }
            int len = p[i + 1] & 0xff;
            if (len < 2 || i + len > to) {
                break;
            }
            switch (kind) {
                case 2 -> mss = len == 4 ? u16(p, i + 2) : mss;
                case 3 -> wscale = len == 3 ? p[i + 2] & 0xff : wscale;
                case 4 -> sack = true;
                case 8 -> {
                    if (len == 10) {
                        tsVal = u32(p, i + 2);
                        tsEcr = u32(p, i + 6);
                    }
                }
                default -> {
                }
            }
            i += len;
        }
        if (mss < 0 && wscale < 0 && !sack && tsVal < 0) {
            return TcpOptions.NONE;
        }
        return new TcpOptions(mss, wscale, sack, tsVal, tsEcr);
    }

    private static InetAddress address(byte[] p, int at, int len) throws UnknownHostException {
        byte[] a = new byte[len];
        System.arraycopy(p, at, a, 0, len);
        return InetAddress.getByAddress(a);
    }

    private static int u16(byte[] p, int at) {
        return ((p[at] & 0xff) << 8) | (p[at + 1] & 0xff);
    }

    private static long u32(byte[] p, int at) {
        return ((long) u16(p, at) << 16) | u16(p, at + 2);
    }
}
