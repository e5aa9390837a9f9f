package dev.herald.routing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.domain.EventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Compiled event-type schemas kept between publishes. An entry is keyed by event type name and is only
 * reused while the event type's {@code updatedAt} is unchanged, so an edited schema takes effect on the
 * next publish. One entry per name (a new version replaces the old), the least recently used dropped
 * past the capacity. Safe to share between threads.
 */
public final class PayloadSchemaCache {

    public static final int DEFAULT_CAPACITY = 1_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Cached(Instant updatedAt, PayloadSchemaValidator validator) {}

    private final Map<String, Cached> entries;

    public PayloadSchemaCache() {
        this(DEFAULT_CAPACITY);
    }

    public PayloadSchemaCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The validator for this version of the event type, compiling {@code schemas} only on a miss.
     *
     * @throws InvalidSchemaException when the schemas do not compile (nothing is cached then)
     */
    public PayloadSchemaValidator validatorFor(String eventTypeName, Instant updatedAt, Supplier<JsonNode> schemas) {
        Objects.requireNonNull(eventTypeName, "eventTypeName");
        Objects.requireNonNull(updatedAt, "updatedAt");
        synchronized (entries) {
            Cached cached = entries.get(eventTypeName);
            if (cached != null && cached.updatedAt().equals(updatedAt)) {
                return cached.validator();
            }
        }
        // compiled outside the lock: two threads may both compile on a miss, which is harmless
        PayloadSchemaValidator validator = PayloadSchemaValidator.compile(schemas.get());
        synchronized (entries) {
            Cached current = entries.get(eventTypeName);
            if (current == null || !current.updatedAt().isAfter(updatedAt)) {
                entries.put(eventTypeName, new Cached(updatedAt, validator));
            }
        }
        return validator;
    }

    /** The same, for a stored event type; a null, blank or JSON-null {@code schemasJson} means no schema, so nothing is rejected. */
    public PayloadSchemaValidator validatorFor(EventType eventType) {
        return validatorFor(eventType.name(), eventType.updatedAt(), () -> parse(eventType.schemasJson()));
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static JsonNode parse(String schemasJson) {
        if (schemasJson == null || schemasJson.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode schemas = PayloadJson.parse(schemasJson);
            return schemas.isNull() ? JSON.createObjectNode() : schemas;
        } catch (IllegalArgumentException e) {
            throw new InvalidSchemaException("stored schemas are not valid JSON: " + e.getMessage());
        }
    }
}
