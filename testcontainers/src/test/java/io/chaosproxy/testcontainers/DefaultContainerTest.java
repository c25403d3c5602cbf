package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.client.ChaosProxyClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without a container field, the extension runs {@link ChaosProxyContainer#DEFAULT_IMAGE} itself, and stops it. */
@ExtendWith(TestImages.class)
@ChaosProxyTest
class DefaultContainerTest {
    @Test
    void aDefaultContainerIsStartedAndInjected(ChaosProxyContainer container, ChaosProxyClient client) {
        assertThat(container.getDockerImageName()).isEqualTo(ChaosProxyContainer.DEFAULT_IMAGE);
        assertThat(container.getExposedPorts()).contains(ChaosProxyContainer.CONTROL_PORT,
                ChaosProxyContainer.FIRST_PROXY_PORT);
        assertThat(client.capabilities().engines()).containsKey("stream");
        assertThat(container.getContainerInfo().getHostConfig().getCapAdd())
                .extracting(Enum::name).contains("NET_ADMIN");
        // Measured from start() to GET /version answering, and logged with it (the test run's output shows it).
        assertThat(container.startupTime()).isPositive().isLessThan(Duration.ofSeconds(60));
    }
}
