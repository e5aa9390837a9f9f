package dev.herald.client.model;

import java.util.Set;

/** A polling endpoint to make: every field may be null (no uid, no description, every event type and channel). */
public record PollerIn(String uid, String description, Set<String> filterTypes, Set<String> channels) {
    public static PollerIn all() {
        return new PollerIn(null, null, null, null);
    }

    public PollerIn withFilterTypes(Set<String> types) {
        return new PollerIn(uid, description, types, channels);
    }

    public PollerIn withChannels(Set<String> names) {
        return new PollerIn(uid, description, filterTypes, names);
    }
}
