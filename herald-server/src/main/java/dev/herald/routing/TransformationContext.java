package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** Builds the node a {@link TransformationRenderer} reads its {@code {{names}}} from. */
public final class TransformationContext {

    private TransformationContext() {}

    /**
     * {@code {"msgId", "eventType", "eventId", "timestamp" (ISO-8601), "payload", "app": {"id", "uid", "name"},
     * "endpoint": {"id"}}}. Null arguments are left out, so templates naming them render "".
     */
    public static ObjectNode of(
            String msgId,
            String eventType,
            String eventId,
            Instant timestamp,
            JsonNode payload,
            String appId,
            String appUid,
            String appName,
            String endpointId) {
        ObjectNode context = JsonNodeFactory.instance.objectNode();
        putIfPresent(context, "msgId", msgId);
        putIfPresent(context, "eventType", eventType);
        putIfPresent(context, "eventId", eventId);
        putIfPresent(context, "timestamp", timestamp == null ? null : timestamp.toString());
        if (payload != null) {
            context.set("payload", payload);
        }
        ObjectNode app = context.putObject("app");
        putIfPresent(app, "id", appId);
        putIfPresent(app, "uid", appUid);
        putIfPresent(app, "name", appName);
        putIfPresent(context.putObject("endpoint"), "id", endpointId);
        return context;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
