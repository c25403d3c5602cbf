package io.chaosproxy.assertj;

import io.chaosproxy.client.ConnectionInfo;
import io.chaosproxy.client.ProxyHandle;

/**
 * AssertJ entry points for what went through a proxy: {@code assertThat(proxy).sawConnections(3)},
 * {@code assertThat(proxy).connection(0).hadToxicAction("swallowed FIN").on(Leg.CLIENT)}. Every failure prints
 * the offending connection's timeline (one line per event, times in ms), so a test that fails says what the
 * connection really went through.
 */
public final class ChaosProxyAssertions {
    private ChaosProxyAssertions() {
    }

    /** Assertions on the connections a proxy recorded (fetched once, now). */
    public static ProxyAssert assertThat(ProxyHandle proxy) {
        return new ProxyAssert(proxy);
    }

    /** Assertions on one recorded connection. */
    public static ConnectionAssert assertThat(ConnectionInfo connection) {
        return new ConnectionAssert(connection);
    }
}
