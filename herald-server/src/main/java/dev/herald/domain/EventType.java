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

    /**
     * Whether a token bearing {@code tokenFlags} (null: every flag, as an admin token) sees this type. A type with no
     * feature flag is seen by every token; one with flags (its {@code featureFlag} and its {@code featureFlags} together)
     * only by a token bearing at least one of them, as Svix hides a flagged type from the app portal.
     */
    public boolean visibleWith(Set<String> tokenFlags) {
        if (tokenFlags == null) return true;
        boolean flagged = featureFlag != null || (featureFlags != null && !featureFlags.isEmpty());
        if (!flagged) return true;
        if (featureFlag != null && tokenFlags.contains(featureFlag)) return true;
        return featureFlags != null && featureFlags.stream().anyMatch(tokenFlags::contains);
    }
}
