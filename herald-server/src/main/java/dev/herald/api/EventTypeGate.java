package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.domain.EventType;
import dev.herald.routing.InvalidSchemaException;
import dev.herald.routing.PayloadSchemaCache;
import dev.herald.routing.PayloadSchemaValidator;
import dev.herald.store.EventTypeStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the event catalog says about a message before it is published: an archived type takes no new
 * messages; a type that validates payloads (its own {@code validatePayloads}, or HERALD_VALIDATE_PAYLOADS)
 * refuses one that breaks its newest schema. A type that does not exist allows anything, as in Svix.
 *
 * <p>Event types change rarely, so each is looked up at most once a second (with its compiled schema), however
 * many publishes find it expired at once: publishing adds no database round trip per message.
 */
public final class EventTypeGate {
    private static final Logger log = LoggerFactory.getLogger(EventTypeGate.class);
    static final Duration CACHE_FOR = Duration.ofSeconds(1);

    private final EventTypeStore types;
    private final PayloadSchemaCache schemas;
    private final boolean validateAll;
    private final SharedLoads<String, Entry> cache =
            new SharedLoads<>(Caffeine.newBuilder().expireAfterWrite(CACHE_FOR).maximumSize(10_000).build());

    /** {@code type} null when no such event type; {@code validator} null when payloads are not validated. */
    private record Entry(EventType type, PayloadSchemaValidator validator) {}

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
        JsonNode payload = dev.herald.routing.PayloadJson.parse(payloadJson); // the payload as stored, read back
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
        cache.invalidate(name);
    }

    private Entry entry(String name) {
        return cache.get(name, n -> {
            EventType type = types.find(n).orElse(null);
            return new Entry(type, validatorOf(type));
        });
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
