package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The console's files as the API serves them under /ui/: types, headers, nothing else reachable. */
class ConsoleAssetsTest {
    private static final String CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " HeadlessChrome/156.0.0.0 Safari/537.36";
    private ChaosProxyServer server;
    private RawHttp raw;

    @BeforeEach
    void start() {
        server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults());
        raw = new RawHttp(server.apiAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void thePageTypedInTheAddressBarIsServedWithHeadersThatKeepItToItsOrigin() {
        for (String path : List.of("/ui/", "/ui", "/ui/index.html")) {
            RawHttp.Reply r = raw.request("GET", path).header("User-Agent", CHROME)
                    .header("Sec-Fetch-Site", "none").send();
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
            assertThat(r.body()).contains("<script type=\"module\" src=\"/ui/app.js\">");
            assertThat(r.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("Content-Security-Policy")).contains("default-src 'self'", "frame-ancestors 'none'");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        }
    }

    @Test
    void scriptsAndStylesComeWithTheirTypesToThePageOfTheSameOrigin() {
        RawHttp.Reply js = raw.request("GET", "/ui/app.js").header("User-Agent", CHROME)
                .header("Sec-Fetch-Site", "same-origin").send();
        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("import ");
        RawHttp.Reply css = raw.request("GET", "/ui/console.css").header("User-Agent", CHROME)
                .header("Sec-Fetch-Site", "same-origin").send();
        assertThat(css.header("Content-Type")).isEqualTo("text/css; charset=utf-8");
    }

    @Test
    void javascriptTemplateLiteralsAreServedAsWrittenNotFilteredByTheBuild() throws IOException {
        String served = raw.request("GET", "/ui/live.js").send().body();
        assertThat(served).isEqualTo(Files.readString(Path.of("src/main/resources/ui/live.js")));
    }

    @Test
    void anotherSitesPageCannotLoadTheConsole() {
        RawHttp.Reply r = raw.request("GET", "/ui/app.js").header("User-Agent", CHROME)
                .header("Sec-Fetch-Site", "cross-site").send();
        assertThat(r.status()).isEqualTo(403);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ui/../proxies", "/ui/%2e%2e/version", "/ui/..%2fchaos-proxy-version.properties",
            "/ui/files.txt", "/ui/nothing.js", "/ui/app.js/x", "/ui/%2fetc%2fpasswd",
            "/ui/../../io/chaosproxy/api/ConsoleAssets.class"})
    void nothingButTheListedFilesIsServed(String path) {
        RawHttp.Reply r = raw.request("GET", path).send();
        assertThat(r.status()).as(path).isEqualTo(404);
        assertThat(r.json().get("error").asText()).startsWith("not found");
    }

    @Test
    void theFilesAreReadOnlyAndUnchangedByAnyOtherMethod() {
        assertThat(raw.request("POST", "/ui/app.js").body("text/plain", "x").send().status()).isEqualTo(405);
        assertThat(raw.request("DELETE", "/ui/").send().status()).isEqualTo(405);
    }

    @Test
    void everyFileOfTheConsoleIsListedAndEveryListedFileExists() throws IOException {
        List<String> listed = ConsoleAssets.listed();
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/ui"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(f -> !f.equals("files.txt")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
        for (String f : listed) {
            assertThat(raw.request("GET", "/ui/" + f).send().status()).as(f).isEqualTo(200);
        }
    }
}
