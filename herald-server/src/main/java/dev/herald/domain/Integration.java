package dev.herald.domain;

import java.time.Instant;
import java.util.Set;

/** Svix's integration: a named key that speaks for one application (the key itself is kept apart, sealed). */
public record Integration(String id, String appId, String name, Set<String> featureFlags, Instant createdAt, Instant updatedAt) {}
