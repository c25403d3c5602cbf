package io.chaosproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A JDK TLS server (TLS 1.2 and 1.3) that echoes every byte until the client closes. Records what each connection
 * saw on the server side: {@code handshake TLSv1.3} once a handshake completed, then {@code eof}, or the exception
 * ({@code javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake}).
 */
public final class TlsEchoServer extends BlockingServer {
    private final SSLContext context;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    private final String[] protocols;

    public TlsEchoServer(SSLContext context) {
        this(context, null);
    }

    /** A server that accepts only {@code protocols} ({@code TLSv1.3}), or all the context offers when null. */
    public TlsEchoServer(SSLContext context, String[] protocols) {
        super("tls-echo");
        this.context = context;
        this.protocols = protocols;
    }

    /** What the server saw, in order, over all connections. */
    public List<String> seen() {
        return List.copyOf(seen);
    }

    /** Handshakes the server completed. */
    public long handshakes() {
        return seen.stream().filter(s -> s.startsWith("handshake ")).count();
    }

    @Override
    protected void handle(Socket plain) throws IOException {
        plain.setTcpNoDelay(true);
        plain.setSoTimeout(30_000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, null, plain.getPort(), true);
        socket.setUseClientMode(false);
        if (protocols != null) {
            socket.setEnabledProtocols(protocols);
        }
        try (socket) {
            socket.startHandshake();
            seen.add("handshake " + socket.getSession().getProtocol());
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            seen.add("eof");
        }
    }

    @Override
    protected void onError(Socket socket, Exception e) {
        seen.add(e.toString());
    }
}
