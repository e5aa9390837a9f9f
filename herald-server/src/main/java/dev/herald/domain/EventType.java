package dev.herald.domain;

import java.time.Instant;
import java.util.Set;

/**
 * An event type of the catalog; {@code schemasJson} is the raw JSON object of schemas per version.
 * {@code validatePayloads} (a Herald extra) refuses published payloads that break the newest schema.
 */
public record EventType(
        String name,
        String description,
        String schemasJson,
        boolean archived,
        boolean deprecated,
        String featureFlag,
        Set<String> featureFlags,
        String groupName,
        Instant createdAt,
        Instant updatedAt,
        boolean validatePayloads) {

    public EventType withValidatePayloads(boolean validate) {
        return new EventType(name, description, schemasJson, archived, deprecated, featureFlag, featureFlags, groupName,
                createdAt, updatedAt, validate);
    }
}
