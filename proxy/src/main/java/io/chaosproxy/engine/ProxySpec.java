package io.chaosproxy.engine;

import io.chaosproxy.model.HostPort;
/** What a user asks for: a named listener and the upstream it forwards to. */
public record ProxySpec(String name, HostPort listen, HostPort upstream, boolean enabled) {
}
