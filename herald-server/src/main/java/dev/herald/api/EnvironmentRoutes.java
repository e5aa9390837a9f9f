package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.domain.ConflictException;
import dev.herald.domain.EventType;
import dev.herald.store.EventTypeStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * Svix's environment export and import (admin): the event type catalog, to copy from one environment (or Herald, or
 * Svix) to another. An import adds and updates, it never removes. Herald has no connectors and no environment settings:
 * it exports none, refuses connectors to import (they would be lost), and ignores imported settings (the Svix app
 * portal's look, which Herald's portal does not use).
 */
public final class EnvironmentRoutes {
    /** Svix's EnvironmentOut. */
    public record EnvironmentOut(Instant createdAt, long version, List<EventTypeRoutes.EventTypeOut> eventTypes,
                                 List<Object> connectors, Map<String, Object> settings) {}

    /** The version of the export's shape. */
    static final long VERSION = 1;
    /** Event types one import may carry. */
    static final int MAX_IMPORTED = 10_000;

    private final EventTypeStore types;
    private final EventTypeRoutes eventTypeRoutes;
    private final Clock clock;

    public EnvironmentRoutes(EventTypeStore types, EventTypeRoutes eventTypeRoutes, Clock clock) {
        this.types = types;
        this.eventTypeRoutes = eventTypeRoutes;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/environment/export", this::export);
        routes.post("/api/v1/environment/import", this::importEnvironment);
    }

    /** Every event type, archived ones too (an import restores them as they were), by name. */
    void export(Context ctx) {
        Auth.requireAdmin(ctx);
        var out = types.all(true).stream().map(EventTypeRoutes.EventTypeOut::of).toList();
        ctx.json(new EnvironmentOut(clock.instant(), VERSION, out, List.of(), Map.of()));
    }

    /**
     * Svix's EnvironmentIn: {@code eventTypes}, each an EventTypeIn, created or replaced by name (Herald's
     * {@code validatePayloads}, absent from a Svix export, is kept when left out). Every item is read before any is
     * written, so a bad one changes nothing; 204.
     */
    void importEnvironment(Context ctx) {
        Auth.requireAdmin(ctx);
        var body = Body.of(ctx);
        JsonNode connectors = body.raw("connectors");
        if (connectors != null && !(connectors.isArray() && connectors.isEmpty())) {
            body.fail("connectors", "Herald has no connectors: import them into Svix, or leave connectors out", "value_error");
        }
        JsonNode items = body.raw("eventTypes");
        if (items != null && !items.isArray()) body.fail("eventTypes", "value is not a valid list", "type_error.list");
        if (items != null && items.size() > MAX_IMPORTED) {
            body.fail("eventTypes", "at most " + MAX_IMPORTED + " event types per import", "value_error.list.max_items");
        }
        body.validate();

        var imported = new ArrayList<EventType>();
        var names = new HashSet<String>();
        for (int i = 0; items != null && i < items.size(); i++) {
            var where = List.of("body", "eventTypes", "[" + i + "]"); // Svix names a list item so
            if (!(items.get(i) instanceof ObjectNode item)) {
                throw new ValidationException(List.of(new ValidationException.Item(where, "value is not a valid dict", "type_error.dict")));
            }
            var itemBody = Body.nested(item, where);
            String name = EventTypeRoutes.requiredName(itemBody);
            if (name != null && !names.add(name)) itemBody.fail("name", "the import names this event type twice", "value_error");
            itemBody.validate();
            var existing = types.find(name).orElse(null);
            EventType read = eventTypeRoutes.read(itemBody, name, existing, false);
            if (existing != null && !itemBody.has("validatePayloads")) read = read.withValidatePayloads(existing.validatePayloads());
            imported.add(read);
        }
        for (EventType type : imported) eventTypeRoutes.saved(upsert(type));
        ctx.status(204);
    }

    /** Created, or replaced when it exists (also when another request created it since the import read it). */
    private EventType upsert(EventType type) {
        if (types.find(type.name()).isPresent()) return types.update(type);
        try {
            return types.insert(type);
        } catch (ConflictException raced) {
            return types.update(type);
        }
    }
}
