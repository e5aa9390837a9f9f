package dev.herald.client.webhook;

/** A signature header is absent under both its {@code webhook-} and {@code svix-} names. */
public final class MissingHeaderException extends WebhookVerificationException {
    private final String header;

    public MissingHeaderException(String header) {
        super("missing header " + header + " (or its svix- equivalent)");
        this.header = header;
    }

    public String header() {
        return header;
    }
}
