package dev.herald.client.model;

import java.time.Instant;

/**
 * One delivery attempt. {@code status}: 0 success, 1 pending, 2 fail, 3 sending (Svix's numbering, with
 * {@code statusText} spelling it out); {@code errorMessage} says why a request never got a response.
 */
public record AttemptOut(String id, String msgId, String endpointId, String url, String response, int responseStatusCode,
                         long responseDurationMs, int status, String statusText, int triggerType, Instant timestamp,
                         MessageOut msg, int attemptNumber, String errorMessage, Instant nextAttempt) {}
