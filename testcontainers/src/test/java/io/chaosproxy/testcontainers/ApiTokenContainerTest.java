package io.chaosproxy.testcontainers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.chaosproxy.client.ChaosProxyClient;
import io.chaosproxy.client.ChaosProxyException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** withApiToken: the container starts (its readiness check sends the token), the injected client sends it too. */
@ExtendWith(TestImages.class)
@ChaosProxyTest
class ApiTokenContainerTest {
    private static final String TOKEN = "container-t0ken";

    static final ChaosProxyContainer chaos = new ChaosProxyContainer(TestImages.CHAOS_PROXY).withoutPacketEngine()
            .withApiToken(TOKEN);

    @Test
    void theInjectedClientSendsTheTokenAndOthersGet401(ChaosProxyClient client) throws Exception {
        assertThat(client.capabilities().engines()).containsKey("stream");
        ChaosProxyClient anonymous = ChaosProxyClient.connect(URI.create(chaos.getControlUrl()));
        assertThatThrownBy(anonymous::proxies).isInstanceOfSatisfying(ChaosProxyException.class,
                e -> assertThat(e.status()).isEqualTo(401));
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(chaos.getControlUrl() + "/proxies")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(raw.statusCode()).isEqualTo(401);
        assertThat(raw.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
    }
}
