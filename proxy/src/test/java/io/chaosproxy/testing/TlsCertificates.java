package io.chaosproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost} and 127.0.0.1, made at test time with the JDK's keytool (nothing
 * committed that could expire), once per test JVM: a PKCS#12 key store for JDK servers and clients, and the
 * certificate as PEM for curl's {@code --cacert}.
 */
public final class TlsCertificates {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static TlsCertificates shared;

    private final Path dir;
    private final KeyStore keyStore;

    private TlsCertificates(Path dir) throws Exception {
        this.dir = dir;
        Path store = dir.resolve("server.p12");
        run(List.of(keytool(), "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit"));
        run(List.of(keytool(), "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
                "-storepass", "changeit", "-file", dir.resolve("server.pem").toString()));
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
    }

    /** The certificates of this test JVM (made on first use, in a temporary directory deleted at exit). */
    public static synchronized TlsCertificates get() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("chaos-tls");
                dir.toFile().deleteOnExit();
                shared = new TlsCertificates(dir);
                for (String f : List.of("server.p12", "server.pem")) {
                    dir.resolve(f).toFile().deleteOnExit();
                }
            } catch (Exception e) {
                throw new IllegalStateException("could not make a test certificate with keytool", e);
            }
        }
        return shared;
    }

    /** The certificate as PEM (curl --cacert, openssl -CAfile). */
    public Path pem() {
        return dir.resolve("server.pem");
    }

    /** A server context offering TLS 1.2 and 1.3 with the certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A client context trusting the certificate, for one protocol: {@code TLSv1.3} or {@code TLSv1.2} (a TLSv1.2
     * context's clients offer 1.2 at most, so the version is pinned).
     */
    public SSLContext clientContext(String protocol) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore);
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new UncheckedIOException(new IOException("keytool failed: " + out));
        }
    }
}
