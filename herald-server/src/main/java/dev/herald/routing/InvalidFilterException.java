package dev.herald.routing;

/** An endpoint filter that cannot be used; the message names the offending operator or path and is shown as is. */
public final class InvalidFilterException extends RuntimeException {
    public InvalidFilterException(String message) {
        super(message);
    }
}
