package dev.herald.routing;

/** A valid transformation that could not be rendered for one message, such as one whose output grew too large. */
public final class TransformationRenderException extends RuntimeException {
    public TransformationRenderException(String message) {
        super(message);
    }
}
