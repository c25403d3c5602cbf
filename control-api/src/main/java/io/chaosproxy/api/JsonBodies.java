package io.chaosproxy.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** Request bodies in, JSON responses out; a body that is not JSON is a 400 in our own words ({@link JsonSyntax}). */
final class JsonBodies {
    private final ObjectMapper mapper;

    JsonBodies(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            throw new ApiException(400, "bad request body: empty");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "bad request body: empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "bad request body: " + JsonSyntax.describe(e));
        } catch (IOException e) {
            throw new ApiException(400, "bad request body: not valid JSON");
        }
    }

    ApiResponse json(int status, JsonNode node) {
        try {
            return new ApiResponse(status, ApiResponse.JSON, mapper.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
