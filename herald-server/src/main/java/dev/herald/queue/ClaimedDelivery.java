package dev.herald.queue;

import java.time.Instant;
import java.util.Map;

/**
 * A delivery taken off the queue under a lease, with what sending it needs from its message and endpoint;
 * {@code eventId}, {@code transformation} (raw JSON, null when none) and the application's uid and name
 * are what an endpoint's transformation can render.
 */
public record ClaimedDelivery(
        long id,
        String msgId,
        String endpointId,
        String appId,
        int triggerType,
        int attemptNumber,
        String eventType,
        String payload,
        Instant messageCreatedAt,
        String url,
        Map<String, String> headers,
        boolean endpointDisabled,
        Instant due,
        String eventId,
        String transformation,
        String appUid,
        String appName) {}
