package dev.herald.client.model;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.herald.client.HeraldJson;
import java.time.Instant;
import java.util.Set;

/**
 * An event to publish. {@code payload} is JSON object text sent exactly as given; {@code eventId} is your
 * deduplication key: Herald refuses a second message with the same one (409).
 */
public record MessageIn(String eventType, String eventId, @JsonRawValue String payload, Set<String> channels,
                        Set<String> tags, Instant deliverAt, Long payloadRetentionPeriod) {
    public MessageIn {
        if (eventType == null || eventType.isBlank()) throw new IllegalArgumentException("eventType is missing");
        payload = HeraldJson.payload(payload);
    }

    /** {@code payload}: a record, map or JsonNode, or JSON text as a String; it must be a JSON object. */
    public static MessageIn of(String eventType, Object payload) {
        return new MessageIn(eventType, null, HeraldJson.payload(payload), null, null, null, null);
    }

    public MessageIn withEventId(String eventId) {
        return new MessageIn(eventType, eventId, payload, channels, tags, deliverAt, payloadRetentionPeriod);
    }

    public MessageIn withChannels(Set<String> channels) {
        return new MessageIn(eventType, eventId, payload, channels, tags, deliverAt, payloadRetentionPeriod);
    }

    public MessageIn withTags(Set<String> tags) {
        return new MessageIn(eventType, eventId, payload, channels, tags, deliverAt, payloadRetentionPeriod);
    }

    public MessageIn withDeliverAt(Instant deliverAt) {
        return new MessageIn(eventType, eventId, payload, channels, tags, deliverAt, payloadRetentionPeriod);
    }
}
