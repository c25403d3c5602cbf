package io.chaosproxy.api;

import java.nio.charset.StandardCharsets;

/** A response before it becomes Netty objects: status, content type, body. */
public record ApiResponse(int status, String contentType, byte[] body) {
    public static final String JSON = "application/json";

    public static ApiResponse json(int status, String body) {
        return new ApiResponse(status, JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, new byte[0]);
    }
}
