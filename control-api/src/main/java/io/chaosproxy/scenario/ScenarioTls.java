package io.chaosproxy.scenario;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the TLS scenarios: a self-signed certificate for {@code localhost}, made once per process with the JDK's
 * keytool (valid two days, never written anywhere but a temporary file removed at once), the server's context and
 * a client context that trusts exactly that certificate.
 */
final class ScenarioTls {
    private static final char[] PASSWORD = "scenario".toCharArray();
    private static KeyStore keyStore;

    private ScenarioTls() {
    }

    private static synchronized KeyStore keyStore() throws IOException {
        if (keyStore == null) {
            Path dir = Files.createTempDirectory("chaos-scenario-tls");
            Path store = dir.resolve("server.p12");
            try {
                Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                        .toString(), "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                        "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", new String(PASSWORD),
                        "-keypass", new String(PASSWORD))).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IOException("keytool could not make the scenarios' certificate: " + out.trim());
                }
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(store)) {
                    ks.load(in, PASSWORD);
                }
                keyStore = ks;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while making the scenarios' certificate", e);
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(e);
            } finally {
                Files.deleteIfExists(store);
                Files.deleteIfExists(dir);
            }
        }
        return keyStore;
    }

    /** Makes the certificate now, if not made yet. */
    static void prepare() throws IOException {
        keyStore();
    }

    static SSLContext server() throws IOException {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /** A client context trusting the scenarios' certificate, offering {@code protocol} at most (TLSv1.3). */
    static SSLContext client(String protocol) throws IOException {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keyStore());
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
