package dev.herald.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

/** A published message; {@code timestamp} is when Herald accepted it. */
public record MessageOut(String id, String eventType, String eventId, JsonNode payload, Set<String> channels,
                         Set<String> tags, Instant deliverAt, Instant timestamp) {}
