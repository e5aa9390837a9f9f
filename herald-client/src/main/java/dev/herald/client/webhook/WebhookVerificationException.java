package dev.herald.client.webhook;

/** A request that must be refused (answer 400 or 401): the subtype says why. */
public class WebhookVerificationException extends Exception {
    public WebhookVerificationException(String message) {
        super(message);
    }
}
