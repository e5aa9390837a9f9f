package dev.herald.domain;

import java.time.Instant;
import java.util.Set;

/**
 * Svix's connector: a ready-made transformation the app portal offers customers for one kind of receiver (Slack,
 * Discord, …). {@code transformation} is Herald's template as JSON text; {@code allowedEventTypes} null: every type.
 */
public record Connector(String id, String uid, String name, String kind, String logo, String description,
                        String instructions, Set<String> allowedEventTypes, String transformation, Set<String> featureFlags,
                        String productType, Instant createdAt, Instant updatedAt, Instant transformationUpdatedAt) {
    /** Svix's product for webhooks, the only one Herald has (its other, Stream, is not built). */
    public static final String DISPATCH = "Dispatch";


    /** As {@link EventType#visibleWith}: without flags, or with one the token bears (null: an admin, who sees all). */
    public boolean visibleWith(Set<String> tokenFlags) {
        if (tokenFlags == null || featureFlags == null || featureFlags.isEmpty()) return true;
        return featureFlags.stream().anyMatch(tokenFlags::contains);
    }
}
