package io.chaosproxy.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.model.TlsDetails;
import io.chaosproxy.testing.TlsCertificates;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS reader's parts on real handshake bytes (a JDK client and server {@link SSLEngine} pair in memory): record
 * framing however the reads cut the stream, the hellos' fields, and the verdict on bytes that are not TLS. Buffers
 * are checked by the paranoid leak detector like every test's.
 */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class TlsRecordReaderTest {
    /** What a framer handed on, in order. */
    static final class Collected implements TlsRecordFramer.Sink {
        final List<byte[]> records = new ArrayList<>();
        final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        String notTls;

        @Override
        public int prelude(ByteBuf data) {
            return 0;
        }

        @Override
        public void record(ByteBuf record) {
            byte[] b = new byte[record.readableBytes()];
            record.readBytes(b);
            record.release();
            records.add(b);
            all.writeBytes(b);
        }

        @Override
        public void raw(ByteBuf data) {
            byte[] b = new byte[data.readableBytes()];
            data.readBytes(b);
            data.release();
            raw.writeBytes(b);
            all.writeBytes(b);
        }

        @Override
        public void notTls(String why) {
            notTls = why;
        }
    }

    /**
     * The bytes each side of a real handshake sends, flight by flight (client first, then server, and so on), from
     * a JDK client and server {@link SSLEngine} talking in memory; bounded, so it cannot spin.
     */
    static List<byte[]> handshakeFlights(String protocol) throws Exception {
        SSLEngine client = TlsCertificates.get().clientContext(protocol).createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        SSLParameters p = client.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName("db.example.com")));
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        client.setSSLParameters(p);
        SSLEngine server = TlsCertificates.get().serverContext().createSSLEngine();
        server.setUseClientMode(false);
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer toServer = ByteBuffer.allocate(1 << 17);
        ByteBuffer toClient = ByteBuffer.allocate(1 << 17);
        List<byte[]> flights = new ArrayList<>();
        Boolean[] lastWriterIsClient = {null};
        ByteArrayOutputStream[] current = {null};
        for (int i = 0; i < 400; i++) {
            boolean progress = step(client, toClient, toServer, true, flights, lastWriterIsClient, current);
            progress |= step(server, toServer, toClient, false, flights, lastWriterIsClient, current);
            if (!progress || (client.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                    && server.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING)) {
                break;
            }
        }
        if (current[0] != null) {
            flights.add(current[0].toByteArray());
        }
        return flights;
    }

    /** One move of one engine: run its tasks, wrap what it has to send, or unwrap what it received. */
    private static boolean step(SSLEngine engine, ByteBuffer in, ByteBuffer out, boolean isClient,
            List<byte[]> flights, Boolean[] lastWriterIsClient, ByteArrayOutputStream[] current) throws Exception {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                Runnable task;
                while ((task = engine.getDelegatedTask()) != null) {
                    task.run();
                }
                return true;
            }
            case NEED_WRAP -> {
                ByteBuffer net = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), net);
                net.flip();
                if (net.remaining() > 0) {
                    if (lastWriterIsClient[0] == null || lastWriterIsClient[0] != isClient) {
                        if (current[0] != null) {
                            flights.add(current[0].toByteArray());
                        }
                        current[0] = new ByteArrayOutputStream();
                        lastWriterIsClient[0] = isClient;
                    }
                    byte[] b = new byte[net.remaining()];
                    net.get(b);
                    current[0].writeBytes(b);
                    out.put(b);
                }
                return r.bytesProduced() > 0 || r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_WRAP;
            }
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                if (!in.hasRemaining()) {
                    in.compact();
                    return false;
                }
                SSLEngineResult r = engine.unwrap(in, ByteBuffer.allocate(1 << 17));
                in.compact();
                return r.bytesConsumed() > 0 || r.getHandshakeStatus() != SSLEngineResult.HandshakeStatus.NEED_UNWRAP;
            }
            default -> {
                return false;
            }
        }
    }

    private static List<byte[]> framedWhole(byte[] stream) {
        Collected c = new Collected();
        new TlsRecordFramer(ByteBufAllocator.DEFAULT, c).feed(Unpooled.wrappedBuffer(stream));
        return c.records;
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void recordsComeOutWholeHoweverTheReadsCutTheStream(String protocol) throws Exception {
        ByteArrayOutputStream server = new ByteArrayOutputStream();
        List<byte[]> flights = handshakeFlights(protocol);
        for (int i = 1; i < flights.size(); i += 2) {
            server.writeBytes(flights.get(i)); // everything the server sent in its handshake
        }
        byte[] serverFlight = server.toByteArray();
        List<byte[]> expected = framedWhole(serverFlight);
        assertThat(expected.size()).as("the server's handshake has several records").isGreaterThan(1);
        Random random = new Random(18);
        for (int maxChunk : new int[] {1, 3, 5, 6, 100, 1500, serverFlight.length}) {
            Collected c = new Collected();
            TlsRecordFramer framer = new TlsRecordFramer(ByteBufAllocator.DEFAULT, c);
            int at = 0;
            while (at < serverFlight.length) {
                int n = Math.min(serverFlight.length - at, 1 + random.nextInt(maxChunk));
                ByteBuf chunk = ByteBufAllocator.DEFAULT.buffer(n);
                chunk.writeBytes(serverFlight, at, n);
                framer.feed(chunk);
                at += n;
            }
            assertThat(c.records).as("chunks up to %d bytes", maxChunk).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(c.records.get(i)).isEqualTo(expected.get(i));
            }
            assertThat(c.all.toByteArray()).isEqualTo(serverFlight);
            assertThat(c.notTls).isNull();
            framer.release();
        }
    }

    @Test
    void anUnfinishedRecordGoesOnRawWhenFramingStops() throws Exception {
        byte[] hello = handshakeFlights("TLSv1.3").get(0);
        Collected c = new Collected();
        TlsRecordFramer framer = new TlsRecordFramer(ByteBufAllocator.DEFAULT, c);
        framer.feed(Unpooled.wrappedBuffer(hello, 0, 100));
        assertThat(c.records).isEmpty();
        framer.stop();
        framer.feed(Unpooled.wrappedBuffer(hello, 100, hello.length - 100));
        assertThat(c.raw.toByteArray()).isEqualTo(hello);
    }

    @Test
    void bytesThatAreNotTlsAreSaidSoAndPassedOnAsTheyAre() {
        byte[] http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (int split : new int[] {2, 4, 7, http.length}) {
            Collected c = new Collected();
            TlsRecordFramer framer = new TlsRecordFramer(ByteBufAllocator.DEFAULT, c);
            framer.feed(Unpooled.wrappedBuffer(http, 0, split));
            if (split < http.length) {
                framer.feed(Unpooled.wrappedBuffer(http, split, http.length - split));
            }
            assertThat(c.notTls).as("split at %d", split).isEqualTo("first bytes are not a TLS record (0x47 'G')");
            assertThat(c.raw.toByteArray()).isEqualTo(http);
            assertThat(c.records).isEmpty();
        }
    }

    @Test
    void aRecordLongerThanTlsAllowsIsNotTls() {
        byte[] bogus = {22, 3, 3, (byte) 0xff, (byte) 0xff, 1, 2, 3};
        Collected c = new Collected();
        new TlsRecordFramer(ByteBufAllocator.DEFAULT, c).feed(Unpooled.wrappedBuffer(bogus));
        assertThat(c.notTls).startsWith("first bytes are not a TLS record (0x16");
        assertThat(c.raw.toByteArray()).isEqualTo(bogus);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void theHellosFieldsAreRead(String protocol) throws Exception {
        List<byte[]> flights = handshakeFlights(protocol);
        ByteBuf clientHello = Unpooled.wrappedBuffer(framedWhole(flights.get(0)).get(0));
        assertThat(TlsHelloParser.handshakeType(clientHello)).isEqualTo(TlsHelloParser.CLIENT_HELLO);
        TlsDetails hello = TlsHelloParser.clientHello(clientHello);
        assertThat(hello.sni()).isEqualTo("db.example.com");
        assertThat(hello.alpn()).containsExactly("h2", "http/1.1");
        assertThat(hello.offeredVersions()).first().isEqualTo(protocol);
        ByteBuf serverHello = Unpooled.wrappedBuffer(framedWhole(flights.get(1)).get(0));
        assertThat(TlsHelloParser.handshakeType(serverHello)).isEqualTo(TlsHelloParser.SERVER_HELLO);
        assertThat(TlsHelloParser.serverHelloVersion(serverHello)).isEqualTo(protocol);
    }

    @Test
    void aTruncatedClientHelloGivesWhatCouldBeRead() throws Exception {
        byte[] hello = framedWhole(handshakeFlights("TLSv1.3").get(0)).get(0);
        for (int cut = 5; cut < hello.length; cut += 37) {
            TlsDetails d = TlsHelloParser.clientHello(Unpooled.wrappedBuffer(hello, 0, cut));
            assertThat(d).isNotNull(); // never throws on short or odd input
        }
    }
}
