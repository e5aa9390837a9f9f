package dev.herald.client.outbox;

import dev.herald.client.HeraldJson;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * An event to publish through the outbox: the Herald application it goes to, its type, a JSON object
 * payload and its event id. Name the id's parts with {@link #idFrom}; the id is then
 * {@code EventIds.deterministic(eventType, parts…)}, the same on every retry of your transaction.
 *
 * <pre>{@code
 * OutboxMessage.of("acme", "order.created", order).idFrom(order.id())
 * }</pre>
 */
public record OutboxMessage(String appId, String eventType, String eventId, String payload, Set<String> channels,
                            Set<String> tags) {
    public OutboxMessage {
        if (appId == null || appId.isBlank()) throw new IllegalArgumentException("appId is missing");
        if (eventType == null || eventType.isBlank()) throw new IllegalArgumentException("eventType is missing");
        payload = HeraldJson.payload(payload);
        // insertion order kept: the relay's request must be byte-identical on every try for idempotency replays
        channels = channels == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(channels));
        tags = tags == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(tags));
    }

    /** @param payload a record, map or JsonNode, or JSON text as a String; it must be a JSON object */
    public static OutboxMessage of(String appId, String eventType, Object payload) {
        return new OutboxMessage(appId, eventType, null, HeraldJson.payload(payload), null, null);
    }

    /** The event id from the parts that make this event unique (the event type is added in front). */
    public OutboxMessage idFrom(String... parts) {
        String[] all = new String[parts.length + 1];
        all[0] = eventType;
        System.arraycopy(parts, 0, all, 1, parts.length);
        return withEventId(EventIds.deterministic(all));
    }

    /**
     * An event id you derived yourself; it must stay the same when your transaction is retried, and name this event
     * alone in its application: Herald keeps one message per eventId. A second event of another type under it stays
     * unsent, saying why in {@code last_error}; one of the same type is taken for the first and counted a duplicate.
     */
    public OutboxMessage withEventId(String eventId) {
        return new OutboxMessage(appId, eventType, eventId, payload, channels, tags);
    }

    public OutboxMessage withChannels(String... channels) {
        return new OutboxMessage(appId, eventType, eventId, payload, new LinkedHashSet<>(Arrays.asList(channels)), tags);
    }

    public OutboxMessage withTags(String... tags) {
        return new OutboxMessage(appId, eventType, eventId, payload, channels, new LinkedHashSet<>(Arrays.asList(tags)));
    }
}
