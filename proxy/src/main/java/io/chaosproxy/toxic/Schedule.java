package io.chaosproxy.toxic;

import io.chaosproxy.model.ValidationException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When a toxic acts: it arms itself {@code startAfterMs} after it is created and removes itself
 * {@code durationMs} after arming (0 = stays until removed).
 */
public record Schedule(long startAfterMs, long durationMs) {

    public static Schedule parse(Map<String, Object> json) {
        if (json == null) {
            return null;
        }
        long start = 0;
        long duration = 0;
        for (Map.Entry<String, Object> e : json.entrySet()) {
            String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
            switch (key) {
                case "start_after_ms" -> start = millis("schedule.start_after_ms", e.getValue());
                case "duration_ms" -> duration = millis("schedule.duration_ms", e.getValue());
                case "state" -> {
                    // echoed by the API; ignored when sent back
                }
                default -> throw new ValidationException("schedule." + e.getKey(), "schedule." + e.getKey()
                        + " is not a schedule field; use start_after_ms and duration_ms");
            }
        }
        return new Schedule(start, duration);
    }

    public Map<String, Object> toJson(boolean armed) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("start_after_ms", startAfterMs);
        m.put("duration_ms", durationMs);
        m.put("state", armed ? "active" : "pending");
        return m;
    }

    private static long millis(String field, Object value) {
        if (!(value instanceof Long) || (Long) value < 0 || (Long) value > 86_400_000L * 30) {
            throw new ValidationException(field, field + " must be a whole number of ms between 0 and 2592000000");
        }
        return (Long) value;
    }
}
