package dev.herald.client.webhook;

/** {@code webhook-timestamp} is not whole seconds since the epoch. */
public final class MalformedTimestampException extends WebhookVerificationException {
    public MalformedTimestampException(String value) {
        super("webhook-timestamp is not a number of seconds: " + value);
    }
}
