package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/** Builds the document a {@link PayloadFilter} is matched against. */
public final class MessageView {

    private MessageView() {}

    /** {@code {"eventType": …, "channels": [...], "payload": {...}}}; null channels become an empty array, a null payload is left out. */
    public static ObjectNode of(String eventType, Collection<String> channels, JsonNode payload) {
        ObjectNode view = JsonNodeFactory.instance.objectNode();
        view.put("eventType", eventType);
        ArrayNode channelArray = view.putArray("channels");
        if (channels != null) {
            channels.forEach(channelArray::add);
        }
        if (payload != null) {
            view.set("payload", payload);
        }
        return view;
    }
}
