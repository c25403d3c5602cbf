package io.chaosproxy.engine;

import io.chaosproxy.model.TlsDetails;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the plaintext fields of a ClientHello (SNI, offered versions, ALPN) and a ServerHello (chosen version) from
 * one whole handshake record, without changing the buffer's indices. A hello cut short or malformed gives what could
 * be read; nothing here throws on bad input.
 */
final class TlsHelloParser {
    static final int CLIENT_HELLO = 1;
    static final int SERVER_HELLO = 2;
    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int RANDOM_BYTES = 32;

    private TlsHelloParser() {
    }

    /** The handshake message type at the start of a record's payload, or -1 when the payload is empty. */
    static int handshakeType(ByteBuf record) {
        int at = record.readerIndex() + 5;
        return record.writerIndex() > at ? record.getUnsignedByte(at) : -1;
    }

    static TlsDetails clientHello(ByteBuf record) {
        Cursor c = new Cursor(record, record.readerIndex() + 5 + 4);
        String sni = null;
        List<String> versions = new ArrayList<>();
        List<String> alpn = new ArrayList<>();
        int legacyVersion = -1;
        try {
            legacyVersion = c.u16();
            c.skip(RANDOM_BYTES);
            c.skip(c.u8()); // session id
            c.skip(c.u16()); // cipher suites
            c.skip(c.u8()); // compression methods
            int end = c.end(c.u16());
            while (c.at < end) {
                int type = c.u16();
                int extEnd = c.end(c.u16());
                switch (type) {
                    case EXT_SERVER_NAME -> sni = serverName(c, extEnd);
                    case EXT_ALPN -> {
                        int listEnd = c.end(c.u16());
                        while (c.at < listEnd) {
                            alpn.add(c.text(c.u8()));
                        }
                    }
                    case EXT_SUPPORTED_VERSIONS -> {
                        int listEnd = c.end(c.u8());
                        while (c.at < listEnd) {
                            int v = c.u16();
                            if (!grease(v)) {
                                versions.add(versionName(v));
                            }
                        }
                    }
                    default -> {
                    }
                }
                c.at = extEnd;
            }
        } catch (Malformed e) {
            // what was read so far stands
        }
        if (versions.isEmpty() && legacyVersion >= 0) {
            versions.add(versionName(legacyVersion)); // no supported_versions: a TLS 1.2 (or older) client
        }
        return TlsDetails.clientHello(sni, versions, alpn);
    }

    /** The version the server chose: supported_versions when present (TLS 1.3), else the legacy field. */
    static String serverHelloVersion(ByteBuf record) {
        Cursor c = new Cursor(record, record.readerIndex() + 5 + 4);
        int version = -1;
        try {
            version = c.u16();
            c.skip(RANDOM_BYTES);
            c.skip(c.u8()); // session id
            c.skip(2 + 1); // cipher suite, compression
            int end = c.end(c.u16());
            while (c.at < end) {
                int type = c.u16();
                int extEnd = c.end(c.u16());
                if (type == EXT_SUPPORTED_VERSIONS && extEnd - c.at == 2) {
                    version = c.u16();
                }
                c.at = extEnd;
            }
        } catch (Malformed e) {
            // the legacy version, if read, stands
        }
        return version < 0 ? "unknown" : versionName(version);
    }

    private static String serverName(Cursor c, int extEnd) throws Malformed {
        int listEnd = c.end(c.u16());
        while (c.at < listEnd && c.at < extEnd) {
            int nameType = c.u8();
            int length = c.u16();
            if (nameType == 0) {
                return c.text(length);
            }
            c.skip(length);
        }
        return null;
    }

    /** GREASE values (RFC 8701), 0x?A?A, which clients offer to keep servers honest; not real versions. */
    private static boolean grease(int v) {
        return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
    }

    /** A bounded set of names (metrics label values): the four TLS versions, SSLv3, or "other". */
    static String versionName(int v) {
        return switch (v) {
            case 0x0300 -> "SSLv3";
            case 0x0301 -> "TLSv1";
            case 0x0302 -> "TLSv1.1";
            case 0x0303 -> "TLSv1.2";
            case 0x0304 -> "TLSv1.3";
            default -> "other";
        };
    }

    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }

    /** A read position inside one record that never reads past the record's end. */
    private static final class Cursor {
        private static final Malformed MALFORMED = new Malformed();
        private final ByteBuf buf;
        private final int limit;
        int at;

        Cursor(ByteBuf buf, int at) {
            this.buf = buf;
            this.limit = buf.writerIndex();
            this.at = at;
        }

        private void need(int n) throws Malformed {
            if (n < 0 || at + n > limit) {
                throw MALFORMED;
            }
        }

        int u8() throws Malformed {
            need(1);
            return buf.getUnsignedByte(at++);
        }

        int u16() throws Malformed {
            need(2);
            int v = buf.getUnsignedShort(at);
            at += 2;
            return v;
        }

        void skip(int n) throws Malformed {
            need(n);
            at += n;
        }

        /** The end of a field of {@code length} bytes starting here, checked against the record. */
        int end(int length) throws Malformed {
            need(length);
            return at + length;
        }

        String text(int length) throws Malformed {
            need(length);
            String s = buf.toString(at, length, StandardCharsets.US_ASCII);
            at += length;
            return s;
        }
    }
}
