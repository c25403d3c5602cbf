package io.chaosproxy.api;

import io.netty.channel.Channel;
import java.util.concurrent.CompletionStage;

/** What a route does. Its kind decides where it runs, so the table alone says how every path is served. */
public sealed interface RouteHandler {

    /**
     * Answers on the single control thread: routes may wait for a bind, which must never happen on an event loop,
     * and one thread makes every change atomic as seen by API clients.
     */
    @FunctionalInterface
    non-sealed interface Now extends RouteHandler {
        ApiResponse handle(ApiRequest request);
    }

    /**
     * Started on the control thread, answered when its stage completes: work that takes seconds runs on an executor
     * of its own, so the control thread is free for every other call meanwhile. A failed stage is answered like a
     * thrown exception.
     */
    @FunctionalInterface
    non-sealed interface Later extends RouteHandler {
        CompletionStage<ApiResponse> handle(ApiRequest request);
    }

    /** Takes over the channel on its event loop: a stream of its own, not one request and one response. */
    @FunctionalInterface
    non-sealed interface Stream extends RouteHandler {
        void open(ApiRequest request, Channel channel);
    }
}
