package dev.herald.client;

/** Herald could not be reached, or the connection broke, on every try. The call may or may not have happened. */
public final class HeraldConnectionException extends HeraldException {
    public HeraldConnectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
