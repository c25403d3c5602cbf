package io.chaosproxy.packet;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;

/**
 * The few libc calls the netlink socket needs, through JNA. Buffers are byte arrays or {@link Pointer}s (never
 * direct ByteBuffers, whose position JNA would add to the address).
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SOCK_CLOEXEC = 0x80000;
    int NETLINK_NETFILTER = 12;
    int SOL_SOCKET = 1;
    int SO_RCVBUF = 8;
    int SO_RCVTIMEO = 20;
    int SO_RCVBUFFORCE = 33;
    int SOL_NETLINK = 270;
    int NETLINK_NO_ENOBUFS = 5;

    int EPERM = 1;
    int EINTR = 4;
    int EAGAIN = 11;
    int ENOBUFS = 105;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int setsockopt(int fd, int level, int option, byte[] value, int length) throws LastErrorException;

    NativeLong send(int fd, byte[] buffer, NativeLong length, int flags) throws LastErrorException;

    NativeLong recv(int fd, Pointer buffer, NativeLong length, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
