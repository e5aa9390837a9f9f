package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Connector;
import dev.herald.domain.EventType;
import dev.herald.store.ConnectorStore;
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
 * Svix's environment export and import (admin): the event type catalog and the connectors, to copy from one environment
 * (or Herald, or Svix) to another. An import adds and updates, it never removes. Herald has no environment settings: it
 * exports none and ignores imported ones (the Svix app portal's look, which Herald's portal does not use). A Svix
 * connector's JavaScript transformation is refused (422): Herald's are templates.
 */
public final class EnvironmentRoutes {
    /** Svix's EnvironmentOut. */
    public record EnvironmentOut(Instant createdAt, long version, List<EventTypeRoutes.EventTypeOut> eventTypes,
                                 List<ConnectorRoutes.ConnectorOut> connectors, Map<String, Object> settings) {}

    /** The version of the export's shape. */
    static final long VERSION = 1;
    /** Event types one import may carry. */
    static final int MAX_IMPORTED = 10_000;

    private final EventTypeStore types;
    private final EventTypeRoutes eventTypeRoutes;
    private final ConnectorStore connectors;
    private final ConnectorRoutes connectorRoutes;
    private final Clock clock;

    public EnvironmentRoutes(EventTypeStore types, EventTypeRoutes eventTypeRoutes, ConnectorStore connectors,
                             ConnectorRoutes connectorRoutes, Clock clock) {
        this.types = types;
        this.eventTypeRoutes = eventTypeRoutes;
        this.connectors = connectors;
        this.connectorRoutes = connectorRoutes;
        this.clock = clock;
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/environment/export", this::export);
        routes.post("/api/v1/environment/import", this::importEnvironment);
    }

    /** Every event type, archived ones too (an import restores them as they were), by name; every connector. */
    void export(Context ctx) {
        Auth.requireAdmin(ctx);
        var out = types.all(true).stream().map(EventTypeRoutes.EventTypeOut::of).toList();
        var connectorsOut = connectors.all().stream().map(ConnectorRoutes.ConnectorOut::of).toList();
        ctx.json(new EnvironmentOut(clock.instant(), VERSION, out, connectorsOut, Map.of()));
    }

    /**
     * Svix's EnvironmentIn: {@code eventTypes}, each an EventTypeIn, created or replaced by name (Herald's
     * {@code validatePayloads}, absent from a Svix export, is kept when left out); {@code connectors}, each a
     * ConnectorIn, replacing the one with its uid (or, without one, the uid-less one of its name) or added. Every item is
     * read before any is written, so a bad one changes nothing; 204.
     */
    void importEnvironment(Context ctx) {
        Auth.requireAdmin(ctx);
        var body = Body.of(ctx);
        JsonNode connectorItems = body.raw("connectors");
        if (connectorItems != null && !connectorItems.isArray()) body.fail("connectors", "value is not a valid list", "type_error.list");
        if (connectorItems != null && connectorItems.size() > ConnectorRoutes.MAX_CONNECTORS) {
            body.fail("connectors", "at most " + ConnectorRoutes.MAX_CONNECTORS + " connectors per import", "value_error.list.max_items");
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
        var importedConnectors = readConnectors(connectorItems);
        for (EventType type : imported) eventTypeRoutes.saved(upsert(type));
        for (Connector connector : importedConnectors) {
            if (connectors.find(connector.id()).isPresent()) connectors.update(connector);
            else connectors.insert(connector, ConnectorRoutes.MAX_CONNECTORS);
        }
        ctx.status(204);
    }

    /** Each item read as ConnectorIn, matched to the connector it replaces (its id kept), or given a new id. */
    private List<Connector> readConnectors(JsonNode items) {
        var read = new ArrayList<Connector>();
        if (items == null) return read;
        var existing = connectors.all();
        var keys = new HashSet<String>();
        for (int i = 0; i < items.size(); i++) {
            var where = List.of("body", "connectors", "[" + i + "]");
            if (!(items.get(i) instanceof ObjectNode item)) {
                throw new ValidationException(List.of(new ValidationException.Item(where, "value is not a valid dict", "type_error.dict")));
            }
            var itemBody = Body.nested(item, where);
            String uid = item.path("uid").isTextual() ? item.path("uid").textValue() : null;
            String name = item.path("name").isTextual() ? item.path("name").textValue() : null;
            if (!keys.add(uid != null ? "uid:" + uid : "name:" + name)) {
                itemBody.fail(uid != null ? "uid" : "name", "the import names this connector twice", "value_error");
                itemBody.validate();
            }
            Connector match = existing.stream()
                    .filter(c -> uid != null ? uid.equals(c.uid()) : c.uid() == null && c.name().equals(name))
                    .findFirst().orElse(null);
            read.add(connectorRoutes.read(itemBody, match, null));
        }
        long added = read.stream().filter(c -> existing.stream().noneMatch(e -> e.id().equals(c.id()))).count();
        if (existing.size() + added > ConnectorRoutes.MAX_CONNECTORS) {
            throw new ConflictException("limit_reached", "Herald keeps at most " + ConnectorRoutes.MAX_CONNECTORS + " connectors");
        }
        return read;
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
