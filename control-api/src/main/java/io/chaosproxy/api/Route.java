package io.chaosproxy.api;

/** One entry of the {@link RouteTable}: an HTTP method and a path pattern, and what answers them. */
record Route(String method, PathPattern pattern, RouteHandler handler) {
}
