package io.chaosproxy.model;

/** Bad input from a user: the message names the field at fault and what is allowed. Maps to HTTP 400. */
public class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public ValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
