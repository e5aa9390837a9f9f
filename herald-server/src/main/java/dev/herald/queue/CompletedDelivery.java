package dev.herald.queue;

import dev.herald.domain.Attempt;
import java.time.Instant;

/**
 * The result of one claimed delivery to write back: its attempt row (null when nothing was sent, e.g. the
 * endpoint was disabled meanwhile) and the delivery's new state.
 */
public record CompletedDelivery(
        long deliveryId,
        int attemptNumber,
        Attempt attempt,
        int newStatus,
        Instant nextAttemptAt) {}
