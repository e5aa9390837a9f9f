package dev.herald.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Set;

/** A message a leased poll handed out (Svix's PollerV2MessageOut): commit its {@code offset} once processed. */
public record LeasedMessage(String id, String eventType, String eventId, JsonNode payload, Set<String> channels,
                            Set<String> tags, Instant deliverAt, Instant timestamp, long offset) {}
