package io.chaosproxy.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A path with named segments, e.g. {@code /proxies/{proxy}/toxics/{toxic}}: a literal segment matches itself, a
 * {@code {name}} segment any one segment. Paths are compared segment by segment with empty segments ignored, so
 * {@code /proxies/} and {@code //proxies} are {@code /proxies}, as they always were here.
 */
public final class PathPattern {
    private final List<String> segments;

    private PathPattern(List<String> segments) {
        this.segments = segments;
    }

    public static PathPattern parse(String pattern) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a path pattern starts with '/': " + pattern);
        }
        List<String> out = new ArrayList<>();
        for (String s : pattern.split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return new PathPattern(List.copyOf(out));
    }

    /** The named segments' values if a path's segments fit this pattern, else null. */
    Map<String, String> match(List<String> path) {
        if (path.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < path.size(); i++) {
            String s = segments.get(i);
            if (isParam(s)) {
                params.put(s.substring(1, s.length() - 1), path.get(i));
            } else if (!s.equals(path.get(i))) {
                return null;
            }
        }
        return params;
    }

    /** A request path's non-empty segments, each URL-decoded. */
    static List<String> segmentsOf(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static boolean isParam(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathPattern p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }

    @Override
    public String toString() {
        return "/" + String.join("/", segments);
    }
}
