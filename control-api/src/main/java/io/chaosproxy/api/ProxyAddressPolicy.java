package io.chaosproxy.api;

import io.chaosproxy.model.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Consumer;

/**
 * What the API lets a request create: listen addresses within {@code --allow-listen}, upstreams within
 * {@code --allow-upstream} (403 naming the field and the rule otherwise), and one warning line when an API that
 * only loopback can reach opens a proxy to the network, so the operator sees the door it opens.
 */
final class ProxyAddressPolicy {
    private final AddressRules listen;
    private final AddressRules upstream;
    private final boolean apiOnLoopback;
    private final Consumer<String> warnings;

    ProxyAddressPolicy(ApiSecurity security, boolean apiOnLoopback) {
        this.listen = security.allowListen();
        this.upstream = security.allowUpstream();
        this.apiOnLoopback = apiOnLoopback;
        this.warnings = security.warnings();
    }

    /**
     * @param prefix the fields' prefix in the request ({@code [2].} in {@code /populate})
     * @param listenAddress null when the request leaves it as it is
     * @param upstreamAddress null when the request leaves it as it is
     * @throws ApiException 403 naming the field and the rule
     */
    void check(String prefix, HostPort listenAddress, HostPort upstreamAddress) {
        if (listenAddress != null && !listen.allowsListen(listenAddress)) {
            throw new ApiException(403, prefix + "listen " + listenAddress + " is outside " + listen.describe());
        }
        if (upstreamAddress != null && !upstream.allowsUpstream(upstreamAddress)) {
            throw new ApiException(403, prefix + "upstream " + upstreamAddress + " is outside "
                    + upstream.describe());
        }
    }

    /** After a proxy was created or moved: one line if it listens beyond loopback while the API does not. */
    void warnIfExposed(String proxyName, HostPort listenAddress) {
        if (apiOnLoopback && listenAddress != null && !onLoopback(listenAddress.host())) {
            warnings.accept("chaos-proxy: warning: proxy " + proxyName + " listens on " + listenAddress
                    + ", beyond loopback, while the control API listens on loopback only: whoever reaches that"
                    + " address can use the proxy to reach its upstream (limit with --allow-listen)");
        }
    }

    static boolean onLoopback(String host) {
        if (host.isEmpty()) {
            return false;
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
