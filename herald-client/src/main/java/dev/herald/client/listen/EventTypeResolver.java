package dev.herald.client.listen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.client.HeraldClient;
import dev.herald.client.HeraldException;
import dev.herald.client.HeraldJson;

/**
 * The event type of a delivery. Herald sends it in no header, so ask Herald for the message when a client
 * is at hand, else read the payload's {@code type} / {@code eventType} field (the Svix convention).
 */
final class EventTypeResolver {
    static final String UNKNOWN = "(event type unknown)";

    private final HeraldClient herald;
    private final String app;

    EventTypeResolver(HeraldClient herald, String app) {
        this.herald = herald;
        this.app = app;
    }

    String resolve(String messageId, String body) {
        if (herald != null) {
            try {
                return herald.messages().get(app, messageId).eventType();
            } catch (HeraldException e) {
                // fall back to the payload: the listener must keep going
            }
        }
        return fromPayload(body);
    }

    static String fromPayload(String body) {
        try {
            JsonNode json = HeraldJson.mapper().readTree(body);
            for (String field : new String[]{"type", "eventType", "event"}) {
                if (json != null && json.path(field).isTextual()) return json.path(field).textValue();
            }
        } catch (Exception notJson) {
            // fall through
        }
        return UNKNOWN;
    }
}
