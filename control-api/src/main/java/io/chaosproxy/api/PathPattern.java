package io.chaosproxy.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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

    /**
     * A request path's non-empty segments, each percent-decoded ('+' stays a plus: that rule is for query strings).
     *
     * @throws ApiException 400 naming the path when an escape is malformed or decodes to invalid UTF-8
     */
    static List<String> segmentsOf(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                out.add(decode(s, path));
            }
        }
        return out;
    }

    private static String decode(String segment, String path) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int hi = i + 2 < segment.length() ? Character.digit(segment.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(segment.charAt(i + 2), 16);
            if (lo < 0 || !isAsciiHex(segment.charAt(i + 1)) || !isAsciiHex(segment.charAt(i + 2))) {
                throw new ApiException(400, "malformed percent-escape in path " + quote(path)
                        + ": '%' must be followed by two hex digits");
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "path " + quote(path) + " has percent-escapes that are not valid UTF-8");
        }
    }

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The path as the client sent it, cut short so an error message stays readable. */
    private static String quote(String path) {
        return "\"" + (path.length() > 200 ? path.substring(0, 200) + "..." : path) + "\"";
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
