package io.chaosproxy.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A proxy of the test class's {@link ChaosProxyContainer}: the proxy with this name, in front of {@code upstream} as
 * seen from inside the container ({@code "pg:5432"}), created once and kept for the class.
 *
 * <p>Declare it once, on the test class (repeatable) or on a field of type {@link ChaosProxyContainer.Proxy} or
 * {@link io.chaosproxy.client.ProxyHandle} (injected), then inject it anywhere by name alone:
 * {@code @ChaosProxy(name = "pg") ChaosProxyContainer.Proxy pg}. A parameter may also declare it itself (with its
 * upstream). Two declarations of one name with different upstreams fail the class, rather than re-point the proxy
 * for the tests that follow. After each test the extension removes every toxic and restores each declared proxy's
 * upstream and enabled state.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Repeatable(ChaosProxies.class)
public @interface ChaosProxy {
    /** The proxy's name. */
    String name();

    /** {@code host:port} of the upstream, from inside the chaos-proxy container; empty: declared elsewhere. */
    String upstream() default "";

    /**
     * Whether the test fails when a toxic was armed on this proxy but no connection went through it while it was
     * (see {@link ChaosProxyTest#requireTraffic()}).
     */
    boolean requireTraffic() default true;
}
