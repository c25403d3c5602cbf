package io.chaosproxy.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.chaosproxy.engine.EngineConfig;
import io.chaosproxy.server.ChaosProxyServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's curl commands against the control API, run as written (one fresh server per code block, in the
 * block's order), so a newcomer who pastes them gets answers, not errors. Commands to other ports (through a proxy)
 * and lines that are not curl are left to the reader.
 */
class ReadmeCurlExamplesTest {
    private static final Path README = Paths.get("..", "README.md");
    private static final Pattern API_CURL = Pattern.compile(
            "curl(?: -X (POST|DELETE|PATCH|GET))? 127\\.0\\.0\\.1:8474(/\\S*)(?: -d '(.*)')?");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Command(int line, String method, String path, String body) {
    }

    @Test
    void everyApiCurlCommandOfTheReadmeAnswersWithoutAnError() throws Exception {
        List<List<Command>> blocks = blocks(Files.readAllLines(README));
        assertThat(blocks.stream().mapToInt(List::size).sum()).as("curl commands found").isGreaterThanOrEqualTo(10);
        int ran = 0;
        for (List<Command> block : blocks) {
            try (ChaosProxyServer server = new ChaosProxyServer("127.0.0.1", 0, EngineConfig.defaults())) {
                String base = "http://127.0.0.1:" + server.apiAddress().getPort();
                // The proxies the README's setups have made before its commands run (--demo, the lab, a Postgres).
                for (String name : List.of("demo", "http", "pg")) {
                    if (block.stream().noneMatch(c -> c.body() != null && c.body().contains("\"name\":\"" + name + "\""))) {
                        send(base, "POST", "/proxies",
                                "{\"name\":\"" + name + "\",\"listen\":\"127.0.0.1:0\",\"upstream\":\"127.0.0.1:9\"}");
                    }
                }
                for (Command c : block) {
                    HttpResponse<String> r = send(base, c.method(), c.path(), c.body());
                    boolean noPacketEngineHere = c.path().endsWith("/capture.pcap") && r.statusCode() == 422;
                    assertThat(r.statusCode() < 400 || noPacketEngineHere)
                            .as("README.md line %d: %s %s answered %d %s", c.line(), c.method(), c.path(),
                                    r.statusCode(), r.body())
                            .isTrue();
                    ran++;
                }
            }
        }
        System.out.printf("ran %d curl commands of the README%n", ran);
    }

    private static HttpResponse<String> send(String base, String method, String path, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The API curl commands of each ```sh block, continuation lines joined. */
    static List<List<Command>> blocks(List<String> readme) {
        List<List<Command>> out = new ArrayList<>();
        for (int i = 0; i < readme.size(); i++) {
            if (!readme.get(i).trim().equals("```sh")) {
                continue;
            }
            List<Command> block = new ArrayList<>();
            int k = i + 1;
            while (k < readme.size() && !readme.get(k).trim().equals("```")) {
                int first = k;
                StringBuilder cmd = new StringBuilder(stripComment(readme.get(k)));
                // A backslash at the end, or an unclosed quote, continues on the next line.
                while ((cmd.toString().endsWith("\\") || count(cmd, '\'') % 2 == 1) && k + 1 < readme.size()) {
                    if (cmd.toString().endsWith("\\")) {
                        cmd.setLength(cmd.length() - 1);
                    }
                    k++;
                    cmd.append(' ').append(readme.get(k).trim());
                }
                for (String part : cmd.toString().split(";")) {
                    Matcher m = API_CURL.matcher(part.trim().replaceAll("\\s+", " "));
                    if (m.lookingAt()) {
                        String method = m.group(1) != null ? m.group(1) : m.group(3) != null ? "POST" : "GET";
                        block.add(new Command(first + 1, method, m.group(2), m.group(3)));
                    }
                }
                k++;
            }
            if (!block.isEmpty()) {
                out.add(block);
            }
            i = k;
        }
        return out;
    }

    private static String stripComment(String line) {
        int quote = line.indexOf('\'');
        int hash = line.indexOf(" #");
        return (hash >= 0 && (quote < 0 || hash < quote) ? line.substring(0, hash) : line).trim();
    }

    private static long count(CharSequence s, char c) {
        return s.chars().filter(ch -> ch == c).count();
    }
}
