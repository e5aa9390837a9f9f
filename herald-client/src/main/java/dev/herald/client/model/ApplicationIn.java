package dev.herald.client.model;

import java.util.Map;

/** A new or replaced application. {@code uid} is your own key for it (e.g. your customer id); optional. */
public record ApplicationIn(String name, String uid, Long rateLimit, Map<String, String> metadata) {
    public static ApplicationIn of(String name) {
        return new ApplicationIn(name, null, null, null);
    }

    public ApplicationIn withUid(String uid) {
        return new ApplicationIn(name, uid, rateLimit, metadata);
    }

    public ApplicationIn withMetadata(Map<String, String> metadata) {
        return new ApplicationIn(name, uid, rateLimit, metadata);
    }
}
