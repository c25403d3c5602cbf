package io.chaosproxy.toxic;

import io.chaosproxy.model.ValidationException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;

/**
 * One attribute of a toxic type: its name, unit, default and bounds. The API validates requests against these
 * and echoes every attribute, so no route has per-type code.
 *
 * @param allowedValues for text attributes the accepted words, empty for numbers
 */
public record AttributeSpec(String name, Kind kind, String unit, Object defaultValue, double min, double max,
        List<String> allowedValues, String description) {

    public enum Kind { INTEGER, NUMBER, TEXT }

    public static AttributeSpec integer(String name, String unit, long defaultValue, long min, long max,
            String description) {
        return new AttributeSpec(name, Kind.INTEGER, unit, defaultValue, min, max, List.of(), description);
    }

    public static AttributeSpec number(String name, String unit, double defaultValue, double min, double max,
            String description) {
        return new AttributeSpec(name, Kind.NUMBER, unit, defaultValue, min, max, List.of(), description);
    }

    public static AttributeSpec choice(String name, String defaultValue, List<String> allowed, String description) {
        return new AttributeSpec(name, Kind.TEXT, "", defaultValue, 0, 0, List.copyOf(allowed), description);
    }

    /** Checks and normalises one value given by a user; the message names the attribute and the allowed range. */
    Object validate(Object raw) {
        String field = "attributes." + name;
        switch (kind) {
            case INTEGER: {
                if (!(raw instanceof Number) || !isWhole((Number) raw)) {
                    throw new ValidationException(field, field + " must be a whole number (" + unit + ")");
                }
                // Compared exactly, never through longValue(): 1e24 or 2^64 must be refused, not clamped to 2^63-1.
                BigDecimal v = exact((Number) raw);
                if (v.compareTo(BigDecimal.valueOf((long) min)) < 0 || v.compareTo(BigDecimal.valueOf((long) max)) > 0) {
                    throw new ValidationException(field, field + " must be between " + (long) min + " and "
                            + (long) max + " " + unit + ", got " + shortText((Number) raw, v));
                }
                return v.longValueExact();
            }
            case NUMBER: {
                if (!(raw instanceof Number)) {
                    throw new ValidationException(field, field + " must be a number");
                }
                double v = ((Number) raw).doubleValue();
                if (!(v >= min && v <= max)) {
                    throw new ValidationException(field, field + " must be between " + min + " and " + max
                            + (unit.isEmpty() ? "" : " " + unit) + ", got " + v);
                }
                return v;
            }
            default: {
                if (!(raw instanceof String) || !allowedValues.contains(raw)) {
                    throw new ValidationException(field, field + " must be one of " + allowedValues);
                }
                return raw;
            }
        }
    }

    private static BigDecimal exact(Number n) {
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        if (n instanceof BigDecimal d) {
            return d;
        }
        if (n instanceof Double || n instanceof Float) {
            return new BigDecimal(n.doubleValue());
        }
        return BigDecimal.valueOf(n.longValue());
    }

    /** A number as the user wrote it, near enough: 1.0E24 rather than the double's 24 exact digits. */
    private static String shortText(Number raw, BigDecimal v) {
        if (raw instanceof Double || raw instanceof Float) {
            return raw.toString();
        }
        String plain = v.toPlainString();
        return plain.length() <= 24 ? plain : v.round(new MathContext(6)).toString();
    }

    private static boolean isWhole(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d);
        }
        return true;
    }
}
