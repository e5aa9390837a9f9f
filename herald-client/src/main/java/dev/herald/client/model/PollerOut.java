package dev.herald.client.model;

import java.time.Instant;
import java.util.Set;

/** A polling endpoint; {@code pollPath} is the path that reads it. */
public record PollerOut(String id, String uid, String description, Set<String> filterTypes, Set<String> channels,
                        String pollPath, Instant createdAt, Instant updatedAt) {}
