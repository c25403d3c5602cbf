package io.chaosproxy.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The checks every request passes before routing, in one place: first the browser protection (403), then the
 * token (401). A refused request reaches no route, so it changes nothing.
 */
final class RequestGuard {
    private final BrowserGuard browsers;
    private final TokenGuard token;
    private final ApiErrors errors;

    RequestGuard(ApiSecurity security, ApiErrors errors) {
        this.browsers = new BrowserGuard(security.allowedHosts());
        this.token = new TokenGuard(security.apiToken(), security.metricsWithoutToken());
        this.errors = errors;
    }

    /** The answer refusing this request, or null if it may be routed. */
    ApiResponse refusal(HttpRequest request) {
        String browser = browsers.refusal(request.method().name(), request.headers());
        if (browser != null) {
            return errors.error(403, browser);
        }
        String uri = request.uri();
        int q = uri.indexOf('?');
        String unauthenticated = token.refusal(q < 0 ? uri : uri.substring(0, q), request.headers());
        if (unauthenticated != null) {
            boolean tokenSent = request.headers().contains(HttpHeaderNames.AUTHORIZATION);
            return errors.error(401, unauthenticated).withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
                    tokenSent ? TokenGuard.CHALLENGE + ", error=\"invalid_token\"" : TokenGuard.CHALLENGE);
        }
        return null;
    }
}
