package io.chaosproxy.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Calls a matched route's handler on the control thread and turns any failure, now or later, into its JSON error. */
final class RouteCalls {
    private final ApiErrors errors;

    RouteCalls(ApiErrors errors) {
        this.errors = errors;
    }

    /** The route's answer; never completes exceptionally, so the client always gets one. */
    CompletionStage<ApiResponse> call(RouteTable.Match match) {
        ApiRequest r = match.request();
        try {
            if (match.handler() instanceof RouteHandler.Now now) {
                return CompletableFuture.completedFuture(now.handle(r));
            }
            if (match.handler() instanceof RouteHandler.Later later) {
                return later.handle(r).handle((answer, failure) -> failure == null ? answer
                        : errors.of(failure, r.method(), r.uri()));
            }
            throw new IllegalStateException("a stream route is opened on its event loop, not called: " + r.path());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(errors.of(e, r.method(), r.uri()));
        }
    }
}
