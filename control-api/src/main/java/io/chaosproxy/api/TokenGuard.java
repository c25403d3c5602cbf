package io.chaosproxy.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Optional bearer-token authentication ({@code --api-token} or {@code CHAOS_PROXY_API_TOKEN}): every route then needs
 * {@code Authorization: Bearer TOKEN}, except {@code /metrics} with {@code --metrics-without-token}. Tokens are
 * compared as SHA-256 digests with {@link MessageDigest#isEqual}: in constant time, and without leaking the length.
 */
final class TokenGuard {
    static final String CHALLENGE = "Bearer realm=\"chaos-proxy\"";
    private static final String BEARER = "bearer ";
    private final byte[] tokenDigest;
    private final boolean metricsOpen;

    /** @param token null: no authentication */
    TokenGuard(String token, boolean metricsOpen) {
        this.tokenDigest = token == null ? null : sha256(token);
        this.metricsOpen = metricsOpen;
    }

    /** Why this request is refused (a 401), or null if it may go on. */
    String refusal(String path, HttpHeaders headers) {
        if (tokenDigest == null || (metricsOpen && isMetrics(path))) {
            return null;
        }
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || auth.length() < BEARER.length()
                || !auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "authentication required: send the API token as Authorization: Bearer <token>";
        }
        byte[] given = sha256(auth.substring(BEARER.length()).trim());
        return MessageDigest.isEqual(tokenDigest, given) ? null : "wrong API token";
    }

    /** The path routing would send to {@code /metrics} ({@code /metrics/} too); a malformed path is not. */
    private static boolean isMetrics(String path) {
        try {
            return PathPattern.segmentsOf(path).equals(List.of("metrics"));
        } catch (IllegalArgumentException malformedEscape) {
            return false;
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
