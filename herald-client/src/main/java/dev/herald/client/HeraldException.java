package dev.herald.client;

/** Anything that stopped a Herald API call. Unchecked: callers handle the subtypes they can act on. */
public class HeraldException extends RuntimeException {
    public HeraldException(String message, Throwable cause) {
        super(message, cause);
    }
}
