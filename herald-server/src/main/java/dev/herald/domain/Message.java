package dev.herald.domain;

import java.time.Instant;
import java.util.Set;

/** A published event. {@code payload} holds the exact JSON text that is signed and sent (null once expired). */
public record Message(
        String id,
        String appId,
        String eventType,
        String eventId,
        String payload,
        Set<String> channels,
        Set<String> tags,
        Instant createdAt,
        Instant deliverAt,
        Instant payloadExpiresAt) {}
