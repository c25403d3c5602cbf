package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Matching alone, without a server: named segments, 404 against 405, and the path as the client wrote it. */
class RouteTableTest {
    private final RouteTable table = new RouteTable()
            .answer("GET", "/proxies", r -> ApiResponse.noContent())
            .answer("GET", "/proxies/{proxy}/toxics/{toxic}", r -> ApiResponse.noContent())
            .answerLater("POST", "/scenarios/{name}/run",
                    r -> CompletableFuture.completedFuture(ApiResponse.noContent()));

    @Test
    void namedSegmentsAreDecodedAndTheQueryIsKeptApart() {
        RouteTable.Match m = table.resolve("GET", "/proxies/pg%20main/toxics/slow?x=1&x=2", new byte[0]);
        assertThat(m.request().param("proxy")).isEqualTo("pg main");
        assertThat(m.request().param("toxic")).isEqualTo("slow");
        assertThat(m.request().path()).isEqualTo("/proxies/pg%20main/toxics/slow");
        assertThat(m.request().query("x")).isEqualTo("1");
        assertThat(m.request().query("y")).isNull();
    }

    @Test
    void emptySegmentsAreIgnored() {
        assertThat(table.resolve("GET", "//proxies/", null).handler()).isInstanceOf(RouteHandler.Now.class);
        assertThat(table.resolve("POST", "/scenarios/fin-delayed/run", null).handler())
                .isInstanceOf(RouteHandler.Later.class);
    }

    @Test
    void unknownPathIs404AndKnownPathWithAnotherMethodIs405() {
        assertThatThrownBy(() -> table.resolve("GET", "/proxies/pg/nope?x", null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("not found: /proxies/pg/nope");
                });
        assertThatThrownBy(() -> table.resolve("DELETE", "/proxies", null))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(405);
                    assertThat(e.getMessage()).isEqualTo("method DELETE not allowed on /proxies");
                });
        assertThatThrownBy(() -> table.resolve("GET", "/", null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    @Test
    void aRouteRegisteredTwiceIsABug() {
        assertThatThrownBy(() -> table.answer("GET", "/proxies", r -> ApiResponse.noContent()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GET /proxies");
    }
}
