package io.chaosproxy.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every path the control API serves, in one place: (method, path pattern) to handler. Other packages add their
 * routes through the public methods, so this package never depends on them. Looked up on every event loop, added
 * to while the server is wired: a copy-on-write list suits that.
 */
public final class RouteTable {
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<PathPattern> noTrailingSlash = new CopyOnWriteArrayList<>();

    /** A route answered on the control thread; see {@link RouteHandler.Now}. */
    public RouteTable answer(String method, String pattern, RouteHandler.Now handler) {
        return add(method, pattern, handler);
    }

    /** A route started on the control thread and answered when its stage completes; see {@link RouteHandler.Later}. */
    public RouteTable answerLater(String method, String pattern, RouteHandler.Later handler) {
        return add(method, pattern, handler);
    }

    /** A route that takes over its channel on the event loop; see {@link RouteHandler.Stream}. */
    public RouteTable stream(String method, String pattern, RouteHandler.Stream handler) {
        return add(method, pattern, handler);
    }

    /**
     * A path of this pattern written with a trailing slash answers 404 for every method instead of being the same
     * path (which is the rule elsewhere): where Toxiproxy's clients and tests rely on that.
     */
    public RouteTable noTrailingSlash(String pattern) {
        noTrailingSlash.add(PathPattern.parse(pattern));
        return this;
    }

    /** Synchronized so the duplicate check and the add are one step. */
    private synchronized RouteTable add(String method, String pattern, RouteHandler handler) {
        PathPattern p = PathPattern.parse(pattern);
        for (Route r : routes) {
            if (r.method().equals(method) && r.pattern().equals(p)) {
                throw new IllegalStateException("route registered twice: " + method + " " + pattern);
            }
        }
        routes.add(new Route(method, p, handler));
        return this;
    }

    /**
     * The route for a request, with its named segments filled in.
     *
     * @throws ApiException 404 when no route has this path, 405 when routes have it but none with this method
     */
    Match resolve(String method, String uri, byte[] body) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        List<String> segments = PathPattern.segmentsOf(path);
        if (path.length() > 1 && path.endsWith("/")
                && noTrailingSlash.stream().anyMatch(p -> p.match(segments) != null)) {
            throw new ApiException(404, "not found: " + path);
        }
        boolean pathKnown = false;
        for (Route r : routes) {
            Map<String, String> params = r.pattern().match(segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r.handler(), new ApiRequest(method, uri, path, Map.copyOf(params), body));
            }
            pathKnown = true;
        }
        if (pathKnown) {
            throw new ApiException(405, "method " + method + " not allowed on " + path);
        }
        throw new ApiException(404, "not found: " + path);
    }

    /** A request and the handler its route names. */
    record Match(RouteHandler handler, ApiRequest request) {
    }
}
