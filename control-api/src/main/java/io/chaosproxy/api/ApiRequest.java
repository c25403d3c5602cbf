package io.chaosproxy.api;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/**
 * A request as a route's handler sees it, free of Netty's reference-counted objects (the HTTP request is released
 * as soon as it is read, while a handler may run later on another thread).
 *
 * @param uri the request target as sent, query included (for the operator's log)
 * @param path the target without its query (for error messages, as the client wrote it)
 * @param params the values of the route's named segments, URL-decoded
 */
public record ApiRequest(String method, String uri, String path, Map<String, String> params, byte[] body) {

    /** The value of a named segment of the route's pattern, e.g. {@code proxy} in {@code /proxies/{proxy}}. */
    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route has no segment named {" + name + "}");
        }
        return value;
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        List<String> values = new QueryStringDecoder(uri).parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
