package io.chaosproxy.model;

import java.util.List;

/**
 * What the proxy read of a TLS handshake, from the plaintext parts only (record headers, ClientHello, ServerHello,
 * unencrypted alerts). Fields that a given event does not carry are null or empty.
 *
 * @param sni the server name the client asked for (ClientHello), or null
 * @param offeredVersions versions the client offered, newest first ({@code TLSv1.3}, {@code TLSv1.2})
 * @param alpn application protocols the client offered ({@code h2}, {@code http/1.1})
 * @param version the version the server chose (ServerHello, handshake done)
 * @param alert an alert's level and description ({@code fatal handshake_failure})
 */
public record TlsDetails(String sni, List<String> offeredVersions, List<String> alpn, String version, String alert) {
    public TlsDetails {
        offeredVersions = offeredVersions == null ? List.of() : List.copyOf(offeredVersions);
        alpn = alpn == null ? List.of() : List.copyOf(alpn);
    }

    public static TlsDetails clientHello(String sni, List<String> offeredVersions, List<String> alpn) {
        return new TlsDetails(sni, offeredVersions, alpn, null, null);
    }

    public static TlsDetails version(String version) {
        return new TlsDetails(null, null, null, version, null);
    }

    public static TlsDetails alert(String alert) {
        return new TlsDetails(null, null, null, null, alert);
    }

    /** The subject in words, for the timeline's {@code detail}. */
    public String text() {
        if (alert != null) {
            return alert;
        }
        if (version != null) {
            return version;
        }
        StringBuilder b = new StringBuilder();
        b.append("sni=").append(sni == null ? "-" : sni);
        b.append(" versions=").append(String.join(",", offeredVersions));
        if (!alpn.isEmpty()) {
            b.append(" alpn=").append(String.join(",", alpn));
        }
        return b.toString();
    }
}
