package io.chaosproxy.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The web console's files under {@code /ui/}, read from the jar's {@code ui/} resources. Each file listed in
 * {@code ui/files.txt} becomes one route of the table, read once at startup: a request names a known file or gets
 * 404, so no path (with {@code ..}, encoded or not) can reach anything else. The console calls the same public API
 * as any script; the browser protection passes it because it is served from the API's own origin.
 */
public final class ConsoleAssets {
    static final String ROOT = "ui/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "txt", "text/plain; charset=utf-8");
    /**
     * Pages and scripts come only from this origin, connect only to it, and may not be framed (clickjacking: a
     * framed console would let another page steer the user's clicks).
     */
    private static final Map<String, String> HEADERS = Map.of(
            "Cache-Control", "no-cache",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self';"
                    + " script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self';"
                    + " base-uri 'none'");

    private ConsoleAssets() {
    }

    /** Adds {@code /ui} (the console's page, also {@code /ui/}) and one route per listed file, each read once. */
    public static void addTo(RouteTable table) {
        ApiResponse index = load("index.html");
        table.answer("GET", "/ui", r -> index);
        for (String file : listed()) {
            ApiResponse asset = load(file);
            table.answer("GET", "/ui/" + file, r -> asset);
        }
    }

    static List<String> listed() {
        List<String> files = new ArrayList<>();
        for (String line : new String(read("files.txt"), StandardCharsets.UTF_8).split("\n")) {
            String f = line.trim();
            if (!f.isEmpty() && !f.startsWith("#")) {
                files.add(f);
            }
        }
        return files;
    }

    static ApiResponse load(String file) {
        String ext = file.substring(file.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = TYPES.get(ext);
        if (type == null) {
            throw new IllegalStateException("ui/files.txt lists " + file + ", of a type the console does not serve");
        }
        return new ApiResponse(200, type, read(file), HEADERS);
    }

    private static byte[] read(String file) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("the console's file " + ROOT + file + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
