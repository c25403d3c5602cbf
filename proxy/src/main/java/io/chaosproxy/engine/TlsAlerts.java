package io.chaosproxy.engine;

/** Names of TLS alert levels and descriptions (RFC 8446, 5246), as the timeline shows a plaintext alert. */
final class TlsAlerts {
    private TlsAlerts() {
    }

    static String text(int level, int description) {
        String l = level == 1 ? "warning" : level == 2 ? "fatal" : "level " + level;
        return l + " " + description(description);
    }

    static String description(int code) {
        return switch (code) {
            case 0 -> "close_notify";
            case 10 -> "unexpected_message";
            case 20 -> "bad_record_mac";
            case 22 -> "record_overflow";
            case 40 -> "handshake_failure";
            case 42 -> "bad_certificate";
            case 43 -> "unsupported_certificate";
            case 44 -> "certificate_revoked";
            case 45 -> "certificate_expired";
            case 46 -> "certificate_unknown";
            case 47 -> "illegal_parameter";
            case 48 -> "unknown_ca";
            case 49 -> "access_denied";
            case 50 -> "decode_error";
            case 51 -> "decrypt_error";
            case 70 -> "protocol_version";
            case 71 -> "insufficient_security";
            case 80 -> "internal_error";
            case 86 -> "inappropriate_fallback";
            case 90 -> "user_canceled";
            case 109 -> "missing_extension";
            case 110 -> "unsupported_extension";
            case 112 -> "unrecognized_name";
            case 113 -> "bad_certificate_status_response";
            case 115 -> "unknown_psk_identity";
            case 116 -> "certificate_required";
            case 120 -> "no_application_protocol";
            default -> "alert " + code;
        };
    }
}
