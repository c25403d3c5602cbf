package io.chaosproxy.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link ChaosProxyContainer.Proxy} (or {@link io.chaosproxy.client.ProxyHandle}) test parameter: the proxy
 * with this name, in front of {@code upstream} as seen from inside the container ({@code "pg:5432"}), created on
 * first use and kept for the class (its toxics are removed after each test).
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ChaosProxy {
    /** The proxy's name. */
    String name();

    /** {@code host:port} of the upstream, from inside the chaos-proxy container. */
    String upstream();

    /**
     * Whether the test fails when a toxic was armed on this proxy but no connection went through it while it was
     * (see {@link ChaosProxyTest#requireTraffic()}).
     */
    boolean requireTraffic() default true;
}
