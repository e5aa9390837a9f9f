package dev.herald.client.model;

import java.time.Instant;
import java.util.Map;

public record ApplicationOut(String id, String uid, String name, Long rateLimit, Long throttleRate,
                             Map<String, String> metadata, Instant createdAt, Instant updatedAt) {}
