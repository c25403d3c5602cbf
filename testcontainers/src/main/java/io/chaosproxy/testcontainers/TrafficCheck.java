package io.chaosproxy.testcontainers;

import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.ProxyInfo;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.HashSet;
import java.util.Set;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The "no silent bypass" rule of {@link ChaosProxyTest#requireTraffic()}: after a test, every armed toxic of every
 * proxy must have seen at least one connection, unless the class or the proxy's parameter opted out.
 */
final class TrafficCheck {
    private TrafficCheck() {
    }

    static void afterTest(ExtensionContext context, ChaosProxyClient client) {
        boolean required = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), ChaosProxyTest.class)
                .map(ChaosProxyTest::requireTraffic).orElse(true);
        if (!required) {
            return;
        }
        Set<String> optedOut = optedOutProxies(context.getTestMethod().orElse(null));
        // One GET /proxies holds every proxy's toxics and their counts: no request per proxy.
        for (ProxyInfo proxy : client.proxies().values()) {
            if (!optedOut.contains(proxy.name())) {
                proxy.assertTrafficWhileArmed();
            }
        }
    }

    /** Proxies whose {@code @ChaosProxy} parameter says {@code requireTraffic = false} in this test. */
    private static Set<String> optedOutProxies(Method test) {
        Set<String> names = new HashSet<>();
        if (test != null) {
            for (Parameter p : test.getParameters()) {
                ChaosProxy a = p.getAnnotation(ChaosProxy.class);
                if (a != null && !a.requireTraffic()) {
                    names.add(a.name());
                }
            }
        }
        return names;
    }
}
