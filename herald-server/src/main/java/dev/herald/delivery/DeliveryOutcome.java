package dev.herald.delivery;

import java.time.Instant;

/** What one attempt leads to; {@link DeliveryRecorder} is the one place that applies it. */
public sealed interface DeliveryOutcome {
    record Delivered() implements DeliveryOutcome {}

    record RetryAt(Instant at, String reason) implements DeliveryOutcome {}

    /** No attempts left (or a manual attempt failed); {@code disableEndpoint} for 410 Gone. */
    record Exhausted(String reason, boolean disableEndpoint) implements DeliveryOutcome {}
}
