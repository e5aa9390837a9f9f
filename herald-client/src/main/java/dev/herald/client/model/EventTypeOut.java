package dev.herald.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

public record EventTypeOut(String name, String description, boolean archived, boolean deprecated, JsonNode schemas,
                           String featureFlag, Set<String> featureFlags, String groupName, Instant createdAt,
                           Instant updatedAt) {}
