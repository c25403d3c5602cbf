package io.chaosproxy.model;

/**
 * The rule for proxy and toxic names: 1 to 128 characters, no control characters and no '/'. A name is a segment of
 * the URL that reads or deletes it, so a name that could not be written in a request line (too long, a '/', a line
 * break) would make a proxy nobody can address again.
 */
public final class Names {
    public static final int MAX_LENGTH = 128;

    private Names() {
    }

    /** @throws ValidationException naming {@code field} when the name breaks the rule */
    public static String check(String field, String name) {
        if (name == null || name.isEmpty()) {
            throw new ValidationException(field, "missing required field: " + field);
        }
        if (name.length() > MAX_LENGTH) {
            throw new ValidationException(field, field + " must be 1 to " + MAX_LENGTH + " characters, got "
                    + name.length());
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '/') {
                throw new ValidationException(field, field + " must not contain '/' or control characters"
                        + " (found U+" + String.format("%04X", (int) c) + " at position " + i + ")");
            }
        }
        return name;
    }
}
