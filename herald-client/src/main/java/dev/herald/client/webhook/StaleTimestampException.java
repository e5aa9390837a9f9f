package dev.herald.client.webhook;

import java.time.Duration;
import java.time.Instant;

/** The timestamp is further than the tolerance from now, in the past (a replay) or in the future. */
public final class StaleTimestampException extends WebhookVerificationException {
    private final Instant timestamp;

    public StaleTimestampException(Instant timestamp, Instant now, Duration tolerance) {
        super("webhook-timestamp " + timestamp + " is " + (timestamp.isBefore(now) ? "older" : "newer")
                + " than the " + tolerance.toSeconds() + " s tolerance allows (now " + now + ")");
        this.timestamp = timestamp;
    }

    public Instant timestamp() {
        return timestamp;
    }
}
