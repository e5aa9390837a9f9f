package dev.herald.domain;

import java.time.Instant;
import java.util.Set;

/**
 * A polling endpoint (Svix's poller sink): its application's messages, those its {@code filterTypes} and
 * {@code channels} accept (null: all), kept for a consumer to read rather than sent to it.
 */
public record Poller(String id, String appId, String uid, String description, Set<String> filterTypes,
                     Set<String> channels, Instant createdAt, Instant updatedAt) {}
