package io.chaosproxy.server;

import io.chaosproxy.api.ApiSecurity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The command line's say on the control API's protection: allowed Host names, the token, the allow-lists. */
final class ApiSecurityOptions {
    static final String TOKEN_VARIABLE = "CHAOS_PROXY_API_TOKEN";
    static final String ALLOWED_HOSTS_VARIABLE = "CHAOS_PROXY_ALLOWED_HOSTS";

    @Option(names = "--allowed-hosts", split = ",", paramLabel = "NAME",
            description = "Host names the API answers besides IP addresses and localhost (comma-separated; * for any,"
                    + " e.g. behind a Kubernetes Service). Also " + ALLOWED_HOSTS_VARIABLE + ".")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--api-token", paramLabel = "TOKEN",
            description = "Require Authorization: Bearer TOKEN on every route. Prefer the variable " + TOKEN_VARIABLE
                    + ": a flag is visible to every local user in the process list.")
    String apiToken;

    @Option(names = "--metrics-without-token", description = "Leave /metrics open when a token is set (Prometheus).")
    boolean metricsWithoutToken;

    @Option(names = "--allow-listen", split = ",", paramLabel = "CIDR",
            description = "Proxies may only listen on these addresses (comma-separated CIDR blocks; default: any).")
    List<String> allowListen = new ArrayList<>();

    @Option(names = "--allow-upstream", split = ",", paramLabel = "CIDR|HOST[:PORT]",
            description = "Proxies may only forward to these upstreams (comma-separated; default: any).")
    List<String> allowUpstream = new ArrayList<>();

    /**
     * @param env the process environment (a test passes its own)
     * @throws ParameterException naming the flag or variable that is wrong
     */
    ApiSecurity toApiSecurity(CommandLine commandLine, Map<String, String> env) {
        String fromEnv = env.get(TOKEN_VARIABLE);
        if (fromEnv != null && fromEnv.isEmpty()) {
            fromEnv = null; // set but empty, as compose passes an unset variable on: no token
        }
        if (apiToken != null && fromEnv != null && !apiToken.equals(fromEnv)) {
            throw new ParameterException(commandLine, "--api-token and " + TOKEN_VARIABLE
                    + " are both set and differ: give one (preferably the variable)");
        }
        String token = apiToken != null ? apiToken : fromEnv;
        if (token != null && token.isBlank()) {
            throw new ParameterException(commandLine, (apiToken != null ? "--api-token" : TOKEN_VARIABLE)
                    + " must not be empty");
        }
        List<String> hosts = allowedHosts;
        String hostsFromEnv = env.get(ALLOWED_HOSTS_VARIABLE);
        if (hosts.isEmpty() && hostsFromEnv != null && !hostsFromEnv.isBlank()) {
            hosts = List.of(hostsFromEnv.split(","));
        }
        try {
            return ApiSecurity.defaults().withAllowedHosts(hosts).withApiToken(token)
                    .withMetricsWithoutToken(metricsWithoutToken).withAllowListen(allowListen)
                    .withAllowUpstream(allowUpstream);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(commandLine, e.getMessage());
        }
    }
}
