package dev.herald.domain;

import java.time.Instant;
import java.util.Map;

public record Application(
        String id,
        String uid,
        String name,
        Long rateLimit,
        Long throttleRate,
        Map<String, String> metadata,
        Instant createdAt,
        Instant updatedAt) {

    /**
     * The uid of the application Herald keeps for itself: its endpoints are the operational webhook endpoints. No
     * API route shows it, and no uid the API accepts can name it (':' is outside Svix's uid characters).
     */
    public static final String OPERATIONAL_UID = "herald:operational";

    /** Whether this is Herald's own application (see {@link #OPERATIONAL_UID}). */
    public boolean operational() {
        return OPERATIONAL_UID.equals(uid);
    }
}
