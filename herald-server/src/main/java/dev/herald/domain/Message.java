package dev.herald.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

/**
 * A published event. {@code payload} holds the exact JSON text that is signed and sent (null once expired). Its times
 * are kept to the microsecond, as PostgreSQL stores them: the publish's answer then shows the time every later read
 * shows (a clock's nanoseconds answered at publish were a different time from the one read back, and more digits
 * than some clients' date parsers take).
 */
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
        Instant payloadExpiresAt) {

    public Message {
        createdAt = micros(createdAt);
        deliverAt = micros(deliverAt);
        payloadExpiresAt = micros(payloadExpiresAt);
    }

    private static Instant micros(Instant time) {
        return time == null ? null : time.truncatedTo(ChronoUnit.MICROS);
    }
}
