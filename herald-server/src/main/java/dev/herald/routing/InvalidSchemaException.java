package dev.herald.routing;

/** Event-type schemas that cannot be used; the message says which version and what is wrong, and is shown as is. */
public final class InvalidSchemaException extends RuntimeException {
    public InvalidSchemaException(String message) {
        super(message);
    }
}
