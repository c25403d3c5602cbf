package io.chaosproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Echoes every byte back until the client half-closes, then half-closes too. Records how each connection ended on
 * the server side: {@code eof} or the exception's message (e.g. "Connection reset").
 */
public final class EchoServer extends BlockingServer {
    private final List<String> endings = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong bytesEchoed = new java.util.concurrent.atomic.AtomicLong();

    public EchoServer() {
        super("echo");
    }

    /** How each finished connection ended: "eof" or the read error's message, in order of finishing. */
    public List<String> endings() {
        return List.copyOf(endings);
    }

    /** Bytes echoed over all connections so far. */
    public long bytesEchoed() {
        return bytesEchoed.get();
    }

    @Override
    protected void handle(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            bytesEchoed.addAndGet(n);
        }
        endings.add("eof");
        socket.shutdownOutput();
    }

    @Override
    protected void onError(Socket socket, Exception e) {
        endings.add(e instanceof SocketException ? String.valueOf(e.getMessage()) : e.toString());
    }
}
