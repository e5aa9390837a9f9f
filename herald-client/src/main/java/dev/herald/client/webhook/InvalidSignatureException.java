package dev.herald.client.webhook;

/** No {@code v1} signature in the header matches the body under this secret: wrong secret, or a changed body. */
public final class InvalidSignatureException extends WebhookVerificationException {
    public InvalidSignatureException(String message) {
        super(message);
    }
}
