package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chaosproxy.engine.ProxyException;
import io.chaosproxy.model.ValidationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns whatever a route threw into the JSON error a client gets: {@code {"error": message, "status": code}}. */
final class ApiErrors {
    private final ObjectMapper mapper;

    ApiErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** @param method and {@code uri} name the request in the operator's log when the failure is our bug */
    ApiResponse of(Throwable failure, String method, String uri) {
        Throwable e = unwrap(failure);
        if (e instanceof ApiException api) {
            return error(api.status(), api.getMessage());
        }
        if (e instanceof ValidationException) {
            return error(400, e.getMessage());
        }
        if (e instanceof ProxyException proxy) {
            return error(statusOf(proxy.kind()), proxy.getMessage());
        }
        // Never a stack trace to the client; the operator's log gets it.
        System.err.println("chaos-proxy: internal error on " + method + " " + uri + ": " + e);
        e.printStackTrace();
        return error(500, "internal error: " + e.getClass().getSimpleName());
    }

    ApiResponse error(int status, String message) {
        ObjectNode n = mapper.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        try {
            return new ApiResponse(status, ApiResponse.JSON, mapper.writeValueAsBytes(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stage that failed reports the handler's exception wrapped; the client must see the same error either way. */
    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static int statusOf(ProxyException.Kind kind) {
        switch (kind) {
            case NOT_FOUND:
                return 404;
            case CONFLICT:
                return 409;
            case UNAVAILABLE:
                return 422;
            default:
                return 500;
        }
    }
}
