package dev.herald.client.model;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

public record EndpointOut(String id, String url, String description, String uid, int version, Long rateLimit,
                          Long throttleRate, boolean disabled, Set<String> filterTypes, Set<String> channels,
                          Map<String, String> metadata, Instant createdAt, Instant updatedAt) {}
