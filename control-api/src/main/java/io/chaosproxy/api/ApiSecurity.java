package io.chaosproxy.api;

import java.util.List;
import java.util.function.Consumer;

/**
 * How the control API protects itself: the Host names it answers besides IP addresses and localhost, the optional
 * API token, and what requests may create. The browser protection itself is always on.
 *
 * @param apiToken null: no authentication (the default, as Toxiproxy)
 * @param metricsWithoutToken {@code /metrics} stays open with a token set (for a Prometheus scraper)
 * @param warnings where the operator's warnings go (standard error)
 */
public record ApiSecurity(AllowedHosts allowedHosts, String apiToken, boolean metricsWithoutToken,
        AddressRules allowListen, AddressRules allowUpstream, Consumer<String> warnings) {

    public ApiSecurity {
        if (apiToken != null && apiToken.isBlank()) {
            throw new IllegalArgumentException("the API token must not be empty");
        }
    }

    public static ApiSecurity defaults() {
        return new ApiSecurity(AllowedHosts.literalOnly(), null, false, AddressRules.anything("--allow-listen"),
                AddressRules.anything("--allow-upstream"), System.err::println);
    }

    public ApiSecurity withAllowedHosts(List<String> names) {
        return new ApiSecurity(AllowedHosts.of(names), apiToken, metricsWithoutToken, allowListen, allowUpstream,
                warnings);
    }

    public ApiSecurity withApiToken(String token) {
        return new ApiSecurity(allowedHosts, token, metricsWithoutToken, allowListen, allowUpstream, warnings);
    }

    public ApiSecurity withMetricsWithoutToken(boolean open) {
        return new ApiSecurity(allowedHosts, apiToken, open, allowListen, allowUpstream, warnings);
    }

    public ApiSecurity withAllowListen(List<String> cidrs) {
        return new ApiSecurity(allowedHosts, apiToken, metricsWithoutToken, AddressRules.listen(cidrs),
                allowUpstream, warnings);
    }

    public ApiSecurity withAllowUpstream(List<String> rules) {
        return new ApiSecurity(allowedHosts, apiToken, metricsWithoutToken, allowListen,
                AddressRules.upstream(rules), warnings);
    }

    public ApiSecurity withWarnings(Consumer<String> sink) {
        return new ApiSecurity(allowedHosts, apiToken, metricsWithoutToken, allowListen, allowUpstream, sink);
    }

    /** Whether an API bound to this host is reachable from this machine only (loopback addresses). */
    public static boolean loopbackOnly(String apiHost) {
        return ProxyAddressPolicy.onLoopback(apiHost);
    }

    /** Never the token itself: this may end up in a log. */
    @Override
    public String toString() {
        return "ApiSecurity[allowedHosts=" + allowedHosts + ", token " + (apiToken == null ? "off" : "on")
                + ", metricsWithoutToken=" + metricsWithoutToken + ", " + allowListen.describe() + ", "
                + allowUpstream.describe() + "]";
    }
}
