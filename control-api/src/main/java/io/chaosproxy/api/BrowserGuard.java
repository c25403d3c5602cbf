package io.chaosproxy.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * Keeps web pages from driving the API through the user's browser. The API listens on a loopback port every page
 * can reach: a "simple" cross-origin POST (text/plain, a form) needs no preflight, and a page whose name rebinds
 * to 127.0.0.1 reads answers too. Each rule refuses one way in; together they let through curl, the clients and
 * tests (no browser markers) and the project's own console, served from this origin:
 * <ul>
 * <li>{@code OPTIONS} is refused: no preflight may succeed, and no CORS header is ever sent;
 * <li>{@code Host} must be an IP address, {@code localhost}, or a name of {@code --allowed-hosts} (rebinding);
 * <li>an {@code Origin} that is not this API's own is refused (cross-origin requests, forms);
 * <li>{@code Sec-Fetch-Site: cross-site} or {@code same-site} is refused (another site or a sibling subdomain);
 * <li>a browser's {@code User-Agent} ({@code Mozilla/...}) needs proof of our own origin: {@code Sec-Fetch-Site:
 *     same-origin} or {@code none} (typed in the address bar), or a matching {@code Origin}. This is also
 *     Toxiproxy 2.12's rule (its {@code TestBrowserGets403}), for browsers too old to send the headers above.
 * </ul>
 */
final class BrowserGuard {
    private static final String SEC_FETCH_SITE = "Sec-Fetch-Site";
    private final AllowedHosts hosts;

    BrowserGuard(AllowedHosts hosts) {
        this.hosts = hosts;
    }

    /** Why this request is refused, in the client's words, or null if it may go on. */
    String refusal(String method, HttpHeaders headers) {
        if (method.equals("OPTIONS")) {
            return "OPTIONS refused: the control API grants no cross-origin (CORS) access";
        }
        String host = headers.get(HttpHeaderNames.HOST);
        if (!hosts.allows(host)) {
            return "Host \"" + host + "\" refused: the control API answers an IP address or localhost, or a name"
                    + " given with --allowed-hosts (this stops DNS-rebinding pages)";
        }
        List<String> origins = headers.getAll(HttpHeaderNames.ORIGIN);
        for (String origin : origins) {
            if (!sameOrigin(origin, host)) {
                return "cross-origin request refused: Origin " + origin + " is not this API's origin";
            }
        }
        String site = lower(headers.get(SEC_FETCH_SITE));
        if (site != null && (site.equals("cross-site") || site.equals("same-site"))) {
            return "cross-site request refused: Sec-Fetch-Site: " + site;
        }
        String agent = headers.get(HttpHeaderNames.USER_AGENT);
        boolean provenOwnOrigin = !origins.isEmpty() || "same-origin".equals(site) || "none".equals(site);
        if (agent != null && agent.startsWith("Mozilla/") && !provenOwnOrigin) {
            return "browser request refused: a browser (User-Agent Mozilla/...) may only call the control API from"
                    + " its own origin";
        }
        return null;
    }

    /** The page's origin is ours when it names the host (and port) the request was sent to, over plain HTTP. */
    private static boolean sameOrigin(String origin, String host) {
        return host != null && origin.trim().equalsIgnoreCase("http://" + host.trim());
    }

    private static String lower(String s) {
        return s == null ? null : s.trim().toLowerCase(Locale.ROOT);
    }
}
