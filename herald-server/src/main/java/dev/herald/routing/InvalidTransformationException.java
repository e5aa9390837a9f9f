package dev.herald.routing;

/** An endpoint transformation that cannot be used; the message names the offending field and is shown as is. */
public final class InvalidTransformationException extends RuntimeException {
    public InvalidTransformationException(String message) {
        super(message);
    }
}
