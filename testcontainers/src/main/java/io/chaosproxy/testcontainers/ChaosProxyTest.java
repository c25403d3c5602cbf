package io.chaosproxy.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class with {@link ChaosProxyExtension}: a {@link ChaosProxyContainer} (the class's own field of
 * that type, or a default one), injected into parameters, with every toxic removed after each test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ChaosProxyExtension.class)
public @interface ChaosProxyTest {
    /**
     * Whether a test fails when a toxic was armed on one of the container's proxies but no connection went through
     * that proxy while it was armed: the silent bypass, where the code under test talks straight to the real server
     * and the fault proves nothing. On by default; off here for the whole class, or per proxy with
     * {@link ChaosProxy#requireTraffic()}.
     */
    boolean requireTraffic() default true;
}
