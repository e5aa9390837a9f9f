package dev.herald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.EventType;
import dev.herald.routing.InvalidSchemaException;
import dev.herald.routing.PayloadSchemaCache;
import dev.herald.routing.PayloadSchemaValidator;
import dev.herald.store.EventTypeStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the event catalog says about a message before it is published: an archived type takes no new
 * messages; a type that validates payloads (its own {@code validatePayloads}, or HERALD_VALIDATE_PAYLOADS)
 * refuses one that breaks its newest schema. A type that does not exist allows anything, as in Svix.
 *
 * <p>Event types change rarely, so each is looked up at most once a second (with its compiled schema):
 * publishing adds no database round trip per message.
 */
public final class EventTypeGate {
    private static final Logger log = LoggerFactory.getLogger(EventTypeGate.class);
    static final long CACHE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int CACHE_MAX = 10_000;

    private final EventTypeStore types;
    private final PayloadSchemaCache schemas;
    private final boolean validateAll;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();

    /** {@code type} null when no such event type; {@code validator} null when payloads are not validated. */
    private record Entry(EventType type, PayloadSchemaValidator validator, long until) {}

    public EventTypeGate(EventTypeStore types, PayloadSchemaCache schemas, boolean validateAll) {
        this.types = types;
        this.schemas = schemas;
        this.validateAll = validateAll;
    }

    /** @throws ValidationException (422) when the type is archived or the payload breaks its schema */
    public void check(String eventType, String payloadJson) {
        Entry entry = entry(eventType);
        if (entry.type() == null) return;
        if (entry.type().archived()) {
            throw ValidationException.of("eventType", "event type '" + eventType + "' is archived and takes no new messages",
                    "value_error.event_type.archived");
        }
        if (entry.validator() == null) return;
        List<String> violations = violations(entry, payloadJson);
        if (violations.isEmpty()) return;
        var items = new ArrayList<ValidationException.Item>();
        for (String violation : violations) {
            items.add(new ValidationException.Item(List.of("body", "payload"), violation, "value_error.payload_schema"));
        }
        throw new ValidationException(items);
    }

    private List<String> violations(Entry entry, String payloadJson) {
        JsonNode payload;
        try {
            payload = Json.MAPPER.readTree(payloadJson);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a validated payload is not JSON", e);
        }
        try {
            return entry.validator().violations(payload);
        } catch (InvalidSchemaException e) {
            // the schema, not the payload, is at fault: the publisher cannot fix it, so the message goes through
            log.warn("event type {}: schema cannot validate this payload, publishing unvalidated: {}",
                    entry.type().name(), e.getMessage());
            return List.of();
        }
    }

    /** Drops what is cached about a type this node just changed, so its own writes apply at once. */
    public void forget(String name) {
        cache.remove(name);
    }

    private Entry entry(String name) {
        long now = System.nanoTime();
        Entry cached = cache.get(name);
        if (cached != null && cached.until() - now > 0) return cached;
        EventType type = types.find(name).orElse(null);
        Entry fresh = new Entry(type, validatorOf(type), now + CACHE_NANOS);
        if (cache.size() > CACHE_MAX) cache.clear();
        cache.put(name, fresh);
        return fresh;
    }

    private PayloadSchemaValidator validatorOf(EventType type) {
        if (type == null || type.archived() || !(validateAll || type.validatePayloads())) return null;
        try {
            return schemas.validatorFor(type);
        } catch (InvalidSchemaException e) {
            // stored before schemas were checked on write; refusing every message for it would be worse
            log.warn("event type {} has schemas that cannot be compiled; its payloads are not validated: {}",
                    type.name(), e.getMessage());
            return null;
        }
    }
}
