package io.chaosproxy.packet;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One NFQUEUE queue, bound over a raw netlink socket (NETLINK_NETFILTER) with libc calls only. Netlink headers and
 * attribute headers are in host order; the nfqueue fields (queue number, packet id, verdict, config values) are in
 * network order. One thread receives; verdicts may be sent from any thread, in any order.
 */
final class NfQueue implements AutoCloseable {
    /** What the receiving thread is handed for each queued packet. */
    interface Handler {
        /**
         * @param hook the netfilter hook the packet was queued from (1 = LOCAL_IN, 3 = LOCAL_OUT)
         * @param packet the copied start of the IP packet
         * @param originalLength the packet's full length
         */
        void onPacket(int packetId, int hook, byte[] packet, int originalLength);
    }

    static final int NF_DROP = 0;
    static final int NF_ACCEPT = 1;
    static final int NF_REPEAT = 4;
    static final int HOOK_LOCAL_IN = 1;
    static final int HOOK_LOCAL_OUT = 3;

    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int NFNL_SUBSYS_QUEUE = 3;
    private static final int NFQNL_MSG_PACKET = 0;
    private static final int NFQNL_MSG_VERDICT = 1;
    private static final int NFQNL_MSG_CONFIG = 2;
    private static final int NFQA_PACKET_HDR = 1;
    private static final int NFQA_VERDICT_HDR = 2;
    private static final int NFQA_MARK = 3;
    private static final int NFQA_PAYLOAD = 10;
    private static final int NFQA_CAP_LEN = 13;
    private static final int NFQA_CFG_CMD = 1;
    private static final int NFQA_CFG_PARAMS = 2;
    private static final int NFQA_CFG_QUEUE_MAXLEN = 3;
    private static final int NFQA_CFG_MASK = 4;
    private static final int NFQA_CFG_FLAGS = 5;
    private static final int NFQNL_CFG_CMD_BIND = 1;
    private static final int NFQNL_CFG_CMD_PF_BIND = 3;
    private static final int NFQNL_CFG_CMD_PF_UNBIND = 4;
    private static final int NFQNL_COPY_PACKET = 2;
    private static final int NFQA_CFG_F_FAIL_OPEN = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    private static final LibC C = LibC.INSTANCE;

    private final int fd;
    private final int queue;
    private final Memory receiveBuffer = new Memory(256 * 1024);
    private volatile boolean closed;
    private int seq;

    private NfQueue(int fd, int queue) {
        this.fd = fd;
        this.queue = queue;
    }

    /** Why a queue could not be opened, with the errno when there was one. */
    static final class OpenException extends Exception {
        private static final long serialVersionUID = 1L;

        final int errno;

        OpenException(String message, int errno) {
            super(message);
            this.errno = errno;
        }
    }

    /**
     * Opens a netlink socket and binds the first free queue number in {@code [first, first + tries)}: a number bound
     * by another socket answers EPERM, the same as a missing capability, so several are tried.
     */
    static NfQueue open(int first, int tries, int copyRange) throws OpenException {
        OpenException last = null;
        for (int q = first; q < first + tries; q++) {
            int fd;
            try {
                fd = C.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.NETLINK_NETFILTER);
            } catch (LastErrorException e) {
                throw new OpenException("netlink socket(AF_NETLINK, NETLINK_NETFILTER) failed: errno "
                        + e.getErrorCode(), e.getErrorCode());
            }
            NfQueue nfq = new NfQueue(fd, q);
            try {
                nfq.configure(copyRange);
                return nfq;
            } catch (OpenException e) {
                nfq.closeSocket();
                last = e;
                if (e.errno != LibC.EPERM && e.errno != 16 /* EBUSY */) {
                    throw e;
                }
            }
        }
        throw last;
    }

    int queueNumber() {
        return queue;
    }

    private void configure(int copyRange) throws OpenException {
        byte[] sockaddr = new byte[12];
        sockaddr[0] = (byte) LibC.AF_NETLINK; // sa_family is a host-order u16; little-endian low byte first
        if (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN) {
            sockaddr[0] = 0;
            sockaddr[1] = (byte) LibC.AF_NETLINK;
        }
        try {
            C.bind(fd, sockaddr, sockaddr.length);
        } catch (LastErrorException e) {
            throw new OpenException("bind of the netlink socket failed: errno " + e.getErrorCode(),
                    e.getErrorCode());
        }
        setIntOption(LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, 8 * 1024 * 1024, "SO_RCVBUFFORCE");
        setIntOption(LibC.SOL_NETLINK, LibC.NETLINK_NO_ENOBUFS, 1, "NETLINK_NO_ENOBUFS");
        // 200 ms receive timeout, so the receiving thread notices close().
        byte[] timeval = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putLong(0).putLong(200_000).array();
        try {
            C.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, timeval.length);
        } catch (LastErrorException e) {
            throw new OpenException("setsockopt SO_RCVTIMEO failed: errno " + e.getErrorCode(), e.getErrorCode());
        }
        // PF (un)bind is a no-op on kernels since 3.8 but harmless, and needed on older ones.
        for (int pf : new int[] {AF_INET, AF_INET6}) {
            request(0, pf, cmdAttribute(NFQNL_CFG_CMD_PF_UNBIND, pf), false);
            request(0, pf, cmdAttribute(NFQNL_CFG_CMD_PF_BIND, pf), false);
        }
        request(queue, 0, cmdAttribute(NFQNL_CFG_CMD_BIND, 0), true);
        ByteBuffer params = ByteBuffer.allocate(5).order(ByteOrder.BIG_ENDIAN);
        params.putInt(copyRange).put((byte) NFQNL_COPY_PACKET);
        request(queue, 0, attribute(NFQA_CFG_PARAMS, params.array()), true);
        request(queue, 0, attribute(NFQA_CFG_QUEUE_MAXLEN, be32(8192)), true);
        // Fail open if the queue ever overflows: traffic flows rather than being dropped by accident.
        byte[] flags = concat(attribute(NFQA_CFG_MASK, be32(NFQA_CFG_F_FAIL_OPEN)),
                attribute(NFQA_CFG_FLAGS, be32(NFQA_CFG_F_FAIL_OPEN)));
        request(queue, 0, flags, false);
    }

    private void setIntOption(int level, int option, int value, String name) throws OpenException {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        try {
            C.setsockopt(fd, level, option, v, 4);
        } catch (LastErrorException e) {
            throw new OpenException("setsockopt " + name + " failed: errno " + e.getErrorCode()
                    + (e.getErrorCode() == LibC.EPERM ? " (needs CAP_NET_ADMIN)" : ""), e.getErrorCode());
        }
    }

    private static byte[] cmdAttribute(int command, int pf) {
        ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) command).put((byte) 0).putShort((short) pf);
        return attribute(NFQA_CFG_CMD, b.array());
    }

    /** Sends one config message and waits for its acknowledgement; {@code required} false ignores an error. */
    private void request(int resId, int family, byte[] attributes, boolean required) throws OpenException {
        int mySeq = ++seq;
        byte[] msg = message(NFQNL_MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, mySeq, family, resId, attributes);
        try {
            C.send(fd, msg, new NativeLong(msg.length), 0);
        } catch (LastErrorException e) {
            throw new OpenException("netlink send failed: errno " + e.getErrorCode(), e.getErrorCode());
        }
        while (true) {
            int n = receiveOnce();
            if (n < 0) {
                throw new OpenException("no answer from nfnetlink_queue (is the kernel module available?)", 0);
            }
            ByteBuffer b = ByteBuffer.wrap(receiveBuffer.getByteArray(0, n)).order(ByteOrder.nativeOrder());
            int offset = 0;
            while (offset + NLMSG_HDRLEN <= n) {
                int len = b.getInt(offset);
                int type = b.getShort(offset + 4) & 0xffff;
                int gotSeq = b.getInt(offset + 8);
                if (len < NLMSG_HDRLEN) {
                    break;
                }
                if (type == NLMSG_ERROR && gotSeq == mySeq) {
                    int error = -b.getInt(offset + NLMSG_HDRLEN);
                    if (error != 0 && required) {
                        throw new OpenException("binding NFQUEUE " + resId + " failed: errno " + error
                                + (error == LibC.EPERM ? " (EPERM: no CAP_NET_ADMIN, or the queue is taken)" : ""),
                                error);
                    }
                    return;
                }
                offset += align(len);
            }
        }
    }

    /** Blocks up to the receive timeout; returns bytes received, 0 on timeout, -1 when closed. */
    private int receiveOnce() {
        while (!closed) {
            try {
                return C.recv(fd, receiveBuffer, new NativeLong(receiveBuffer.size()), 0).intValue();
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno == LibC.EAGAIN) {
                    return 0;
                }
                if (errno == LibC.EINTR || errno == LibC.ENOBUFS) {
                    continue;
                }
                if (closed) {
                    return -1;
                }
                throw new IllegalStateException("netlink recv failed: errno " + errno);
            }
        }
        return -1;
    }

    /** The receive loop: returns when the queue is closed. */
    void receive(Handler handler) {
        byte[] chunk = new byte[(int) receiveBuffer.size()];
        while (!closed) {
            int n = receiveOnce();
            if (n <= 0) {
                continue;
            }
            receiveBuffer.read(0, chunk, 0, n);
            ByteBuffer b = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.nativeOrder());
            int offset = 0;
            while (offset + NLMSG_HDRLEN <= n) {
                int len = b.getInt(offset);
                int type = b.getShort(offset + 4) & 0xffff;
                if (len < NLMSG_HDRLEN || offset + len > n) {
                    break;
                }
                if (type == ((NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET)) {
                    dispatch(b, offset + NLMSG_HDRLEN + 4, offset + len, handler);
                } else if (type == NLMSG_DONE) {
                    break;
                }
                offset += align(len);
            }
        }
    }

    private static void dispatch(ByteBuffer b, int start, int end, Handler handler) {
        int id = -1;
        int hook = -1;
        byte[] payload = null;
        int capLen = -1;
        int a = start;
        while (a + 4 <= end) {
            int len = b.getShort(a) & 0xffff;
            int type = b.getShort(a + 2) & 0x3fff;
            if (len < 4 || a + len > end) {
                break;
            }
            int data = a + 4;
            if (type == NFQA_PACKET_HDR) {
                id = b.order(ByteOrder.BIG_ENDIAN).getInt(data);
                hook = b.get(data + 6) & 0xff;
                b.order(ByteOrder.nativeOrder());
            } else if (type == NFQA_PAYLOAD) {
                payload = new byte[len - 4];
                System.arraycopy(b.array(), data, payload, 0, payload.length);
            } else if (type == NFQA_CAP_LEN) {
                capLen = b.order(ByteOrder.BIG_ENDIAN).getInt(data);
                b.order(ByteOrder.nativeOrder());
            }
            a += align(len);
        }
        if (id == -1) {
            return;
        }
        if (payload == null) {
            payload = new byte[0];
        }
        handler.onPacket(id, hook, payload, capLen >= 0 ? capLen : payload.length);
    }

    /** Sends a verdict; {@code mark} other than null also sets the packet's mark (used with NF_REPEAT). */
    void verdict(int packetId, int verdict, Integer mark) {
        ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(verdict).putInt(packetId);
        byte[] attrs = attribute(NFQA_VERDICT_HDR, v.array());
        if (mark != null) {
            attrs = concat(attrs, attribute(NFQA_MARK, be32(mark)));
        }
        byte[] msg = message(NFQNL_MSG_VERDICT, NLM_F_REQUEST, 0, 0, queue, attrs);
        if (closed) {
            return;
        }
        try {
            C.send(fd, msg, new NativeLong(msg.length), 0);
        } catch (LastErrorException e) {
            if (!closed) {
                throw new IllegalStateException("sending a verdict failed: errno " + e.getErrorCode());
            }
        }
    }

    private static byte[] message(int msgType, int flags, int seq, int family, int resId, byte[] attributes) {
        int len = NLMSG_HDRLEN + 4 + attributes.length;
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) ((NFNL_SUBSYS_QUEUE << 8) | msgType)).putShort((short) flags).putInt(seq)
                .putInt(0);
        b.put((byte) family).put((byte) 0 /* NFNETLINK_V0 */);
        b.order(ByteOrder.BIG_ENDIAN).putShort((short) resId).order(ByteOrder.nativeOrder());
        b.put(attributes);
        return b.array();
    }

    private static byte[] attribute(int type, byte[] value) {
        int len = 4 + value.length;
        ByteBuffer b = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
        b.putShort((short) len).putShort((short) type).put(value);
        return b.array();
    }

    private static byte[] be32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(v).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int align(int len) {
        return (len + 3) & ~3;
    }

    /** Makes the receive loop return within its receive timeout; verdicts are no longer sent. */
    void stopReceiving() {
        closed = true;
    }

    /** Closes the socket; call after the receiving thread has returned. Unbinding drops queued packets. */
    @Override
    public void close() {
        closed = true;
        closeSocket();
    }

    private void closeSocket() {
        try {
            C.close(fd);
        } catch (LastErrorException ignored) {
            // already closed
        }
    }
}
