package io.chaosproxy.api;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response before it becomes Netty objects: status, content type, body, and any extra headers (a 401's
 * {@code WWW-Authenticate}).
 */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    /** Toxiproxy 2.12 names the charset; its clients and tests see the same header from us. */
    public static final String JSON = "application/json; charset=utf-8";

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public ApiResponse(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    public static ApiResponse json(int status, String body) {
        return new ApiResponse(status, JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, new byte[0]);
    }

    /** The same response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new ApiResponse(status, contentType, body, more);
    }
}
