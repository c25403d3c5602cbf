package io.chaosproxy.testcontainers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Properties;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/** PostgreSQL (Debian's package, built by {@link TestImages}) on a network, and JDBC helpers. */
final class PgSupport {
    static final String ALIAS = "pg";

    private PgSupport() {
    }

    static GenericContainer<?> postgres(Network network) {
        return new GenericContainer<>(DockerImageName.parse(TestImages.POSTGRES))
                .withImagePullPolicy(name -> false)
                .withNetwork(network)
                .withNetworkAliases(ALIAS)
                .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 1));
    }

    static String url(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/postgres";
    }

    /** A connection as user postgres (trust auth), with the driver's timeouts in seconds (0 = none). */
    static Connection connect(String host, int port, int connectTimeoutSec, int socketTimeoutSec) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSec));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSec));
        p.setProperty("loginTimeout", "30");
        p.setProperty("tcpKeepAlive", "false");
        return DriverManager.getConnection(url(host, port), p);
    }

    static int selectOne(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT 1")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** The median of {@code n} {@code SELECT 1} round trips, in ms. */
    static double medianQueryMillis(Connection c, int n) throws SQLException {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            selectOne(c);
            t[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(t);
        return t[n / 2];
    }

    /** Whether {@code e} or one of its causes is of this type; returns it or null. */
    static <T extends Throwable> T causeOfType(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
