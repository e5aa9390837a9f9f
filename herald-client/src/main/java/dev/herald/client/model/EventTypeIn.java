package dev.herald.client.model;

import com.fasterxml.jackson.databind.JsonNode;

/** An entry of the event-type catalog; {@code schemas} maps a version ("1") to a JSON Schema. */
public record EventTypeIn(String name, String description, JsonNode schemas, Boolean deprecated, String featureFlag,
                          String groupName) {
    public static EventTypeIn of(String name, String description) {
        return new EventTypeIn(name, description, null, null, null, null);
    }

    public EventTypeIn withSchemas(JsonNode schemas) {
        return new EventTypeIn(name, description, schemas, deprecated, featureFlag, groupName);
    }
}
