package dev.herald.domain;

import java.time.Instant;

/** One HTTP attempt at delivering a message to an endpoint; attempts are appended, never changed. */
public record Attempt(
        String id,
        String msgId,
        String endpointId,
        String appId,
        long deliveryId,
        String url,
        int attemptNumber,
        int status,
        int responseStatusCode,
        String response,
        long responseDurationMs,
        String errorMessage,
        int triggerType,
        Instant nextAttempt,
        Instant createdAt) {}
