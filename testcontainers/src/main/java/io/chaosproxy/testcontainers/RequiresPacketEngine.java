package io.chaosproxy.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Skips the test (with the reason) where packet toxics cannot work: the container's packet engine is unavailable
 * (no NET_ADMIN, no iptables), or the test cannot reach the container's own address (Docker Desktop), through which
 * alone handshake faults reach the proxy. On a test method or on a {@link ChaosProxyTest} class.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(PacketEngineCondition.class)
public @interface RequiresPacketEngine {
}
