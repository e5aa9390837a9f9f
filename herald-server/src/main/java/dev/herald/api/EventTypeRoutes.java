package dev.herald.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.ConflictException;
import dev.herald.domain.EventType;
import dev.herald.routing.InvalidSchemaException;
import dev.herald.routing.PayloadSchemaValidator;
import dev.herald.store.EventTypeStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code /api/v1/event-type}: the catalog of event types. DELETE archives; {@code ?expunge=true} removes. */
public final class EventTypeRoutes {
    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
    public static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");
    private static final Pattern FLAG = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");

    private final EventTypeStore types;
    private final EventTypeGate gate;
    private final Clock clock;

    public EventTypeRoutes(EventTypeStore types, EventTypeGate gate, Clock clock) {
        this.types = types;
        this.gate = gate;
        this.clock = clock;
    }

    /** Svix's EventTypeOut; {@code validatePayloads} is Herald's extra. */
    public record EventTypeOut(String name, String description, boolean archived, boolean deprecated,
                               JsonNode schemas, String featureFlag, Set<String> featureFlags, String groupName,
                               Instant createdAt, Instant updatedAt, boolean validatePayloads) {
        static EventTypeOut of(EventType t) {
            return of(t, true);
        }

        /** Without content, {@code schemas} is null, as Svix's list answers unless asked {@code with_content}. */
        static EventTypeOut of(EventType t, boolean withContent) {
            return new EventTypeOut(t.name(), t.description(), t.archived(), t.deprecated(),
                    withContent ? parse(t.schemasJson()) : null, t.featureFlag(), t.featureFlags(), t.groupName(),
                    t.createdAt(), t.updatedAt(), t.validatePayloads());
        }

        private static JsonNode parse(String json) {
            // jsonb writes numbers out in full (1e100 as 101 digits): read with the stored text's limits, not the API's
            return json == null ? null : dev.herald.routing.PayloadJson.parse(json);
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/event-type", this::create);
        routes.get("/api/v1/event-type", this::list);
        routes.get("/api/v1/event-type/{name}", this::get);
        routes.put("/api/v1/event-type/{name}", this::put);
        routes.patch("/api/v1/event-type/{name}", this::patch);
        routes.delete("/api/v1/event-type/{name}", this::delete);
        routes.post("/api/v1/event-type/import/openapi", this::importOpenApi);
    }

    /** Svix's EventTypeFromOpenApi: what an import writes, or would write (dry run). */
    public record EventTypeFromOpenApi(String name, String description, JsonNode schemas, boolean deprecated,
                                       String featureFlag, String groupName) {}

    /** Svix's EventTypeImportOpenApiOutData; its wire name for what a dry run would change is {@code to_modify}. */
    public record ImportData(List<String> modified,
                             @com.fasterxml.jackson.annotation.JsonProperty("to_modify") List<EventTypeFromOpenApi> toModify) {}

    public record ImportOut(ImportData data) {}

    /**
     * Svix's import from OpenAPI (admin): {@code spec} (the document as JSON) or {@code specRaw} (JSON or YAML text).
     * Each webhook creates its event type or updates it (and unarchives it); {@code replaceAll} archives the types the
     * document does not name; {@code dryRun} answers what would change and writes nothing. The whole document is
     * checked first (names, references, schemas), so a bad one changes nothing.
     */
    void importOpenApi(Context ctx) {
        Auth.requireAdmin(ctx);
        var body = Body.of(ctx);
        JsonNode spec = body.raw("spec");
        String specRaw = body.string("specRaw", 1, Integer.MAX_VALUE);
        Boolean dryRun = body.bool("dryRun");
        Boolean replaceAll = body.bool("replaceAll");
        body.validate();
        if ((spec == null || spec.isNull()) == (specRaw == null)) {
            // Svix's EventTypeImportOpenApiIn: "Sending neither or both is invalid, resulting in a 400 Bad Request"
            throw ApiException.badRequest("give the document as spec (JSON) or as specRaw (JSON or YAML text), one of them");
        }
        if (specRaw != null) spec = parseRaw(specRaw);
        List<OpenApiEventTypes.Imported> imported;
        try {
            imported = OpenApiEventTypes.read(spec);
        } catch (OpenApiEventTypes.InvalidSpec e) {
            var loc = new ArrayList<String>(List.of("body", specRaw != null ? "specRaw" : "spec"));
            loc.addAll(e.where);
            throw new ValidationException(List.of(new ValidationException.Item(loc, e.getMessage(), "value_error.openapi")));
        }
        for (var type : imported) {
            // each type's fields held to what a create takes (description, group name, flag, no NUL in the schemas):
            // one taken as it came wrote a type that the next export could not import, or failed mid-import (a 400)
            // (its schemas compiled as a create compiles them)
            checkAsCreated(type, specRaw != null ? "specRaw" : "spec");
        }
        var described = imported.stream().map(t -> new EventTypeFromOpenApi(t.name(), t.description(), t.schemas(),
                t.deprecated(), t.featureFlag(), t.groupName())).toList();
        if (Boolean.TRUE.equals(dryRun)) {
            ctx.json(new ImportOut(new ImportData(List.of(), described)));
            return;
        }
        Instant now = clock.instant();
        var modified = new ArrayList<String>();
        for (var type : imported) {
            String schemasJson = type.schemas() == null ? null : type.schemas().toString();
            modified.add(type.name());
            var existing = types.find(type.name());
            if (existing.isEmpty()) {
                try {
                    saved(types.insert(new EventType(type.name(), type.description(), schemasJson, false, type.deprecated(),
                            type.featureFlag(), null, type.groupName(), now, now, false)));
                    continue;
                } catch (ConflictException raced) {
                    // an import or PUT running beside this one made the type first: this one updates it
                    existing = types.find(type.name());
                    if (existing.isEmpty()) throw raced;
                }
            }
            var e = existing.get();
            saved(types.update(new EventType(e.name(), type.description(), schemasJson, false, type.deprecated(),
                    type.featureFlag(), e.featureFlags(), type.groupName(), e.createdAt(), now, e.validatePayloads())));
        }
        if (Boolean.TRUE.equals(replaceAll)) archiveAllBut(modified, now);
        ctx.json(new ImportOut(new ImportData(modified, null)));
    }

    /** An imported type read as an EventTypeIn would be; a refusal names the webhook under {@code field}. */
    private void checkAsCreated(OpenApiEventTypes.Imported type, String field) {
        var in = Json.MAPPER.createObjectNode().put("description", type.description()).put("deprecated", type.deprecated());
        if (type.schemas() != null) in.set("schemas", type.schemas());
        if (type.groupName() != null) in.put("groupName", type.groupName());
        if (type.featureFlag() != null) in.put("featureFlag", type.featureFlag());
        try {
            read(Body.of(in.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), type.name(), null, false);
        } catch (ValidationException e) {
            var items = new ArrayList<ValidationException.Item>();
            for (var item : e.items()) {
                var loc = new ArrayList<String>(List.of("body", field, "webhooks", type.name()));
                loc.addAll(item.loc().subList(Math.min(1, item.loc().size()), item.loc().size())); // without its "body"
                items.add(new ValidationException.Item(loc, item.msg(), item.type()));
            }
            throw new ValidationException(items);
        }
    }

    private static JsonNode parseRaw(String specRaw) {
        try {
            return YAML.readTree(specRaw); // YAML 1.1 reads JSON documents too
        } catch (JsonProcessingException | RuntimeException e) {
            throw ValidationException.of("specRaw", "specRaw is neither JSON nor YAML", "value_error.openapi");
        }
    }

    /** replaceAll: every live event type the document does not name is archived. */
    private void archiveAllBut(List<String> kept, Instant now) {
        var keep = Set.copyOf(kept);
        for (EventType t : types.all(false)) {
            if (keep.contains(t.name())) continue;
            saved(types.update(new EventType(t.name(), t.description(), t.schemasJson(), true, t.deprecated(),
                    t.featureFlag(), t.featureFlags(), t.groupName(), t.createdAt(), now, t.validatePayloads())));
        }
    }

    /** Reads the mutable fields; {@code base} supplies values absent from a PATCH. */
    EventType read(Body body, String name, EventType base, boolean partial) {
        Instant now = clock.instant();
        // required in EventTypeIn and EventTypeUpdate; a PATCH may leave it out but not null it
        String description = partial && !body.has("description") ? base.description()
                : body.displayable("description", body.requiredString("description", 0, 10_000));
        JsonNode schemas = partial && !body.has("schemas") ? null : body.object("schemas");
        if (schemas != null) checkSchemas(body, schemas);
        String schemasJson = partial && !body.has("schemas") ? base.schemasJson() : (schemas == null ? null : schemas.toString());
        Boolean archived = body.bool("archived");
        Boolean deprecated = body.bool("deprecated");
        String featureFlag = partial && !body.has("featureFlag") ? base.featureFlag() : body.string("featureFlag", 1, 256, FLAG);
        Set<String> featureFlags = partial && !body.has("featureFlags") ? base.featureFlags()
                : body.stringSet("featureFlags", 10, FLAG, 256);
        String groupName = partial && !body.has("groupName") ? base.groupName() : body.string("groupName", 1, 256, NAME);
        // Herald's own field, which no Svix SDK sends: a PUT without it keeps it (an SDK's update turned it off);
        // an explicit null clears it (off), as null clears Herald's other extras
        boolean keepValidation = base != null && !body.has("validatePayloads");
        Boolean validatePayloads = body.bool("validatePayloads");
        body.validate();
        return new EventType(name, description,
                schemasJson,
                archived != null ? archived : (base != null && partial && base.archived()),
                deprecated != null ? deprecated : (base != null && partial && base.deprecated()),
                featureFlag, featureFlags, groupName,
                base == null ? now : base.createdAt(), now,
                keepValidation ? base.validatePayloads() : validatePayloads != null && validatePayloads);
    }

    /** Schemas are compiled as publishing will compile them, so a stored schema is known to be usable. */
    private static void checkSchemas(Body body, JsonNode schemas) {
        try {
            PayloadSchemaValidator.compile(schemas);
        } catch (InvalidSchemaException e) {
            body.fail("schemas", e.getMessage(), "value_error.schema");
            return;
        }
        StoredJsonNumbers.problem(schemas).ifPresent(p -> body.fail("schemas", p, "value_error.schema"));
    }

    void create(Context ctx) {
        Auth.requireAdmin(ctx);
        ctx.status(201).json(EventTypeOut.of(create(Body.of(ctx))));
    }

    /** EventTypeIn: a new type; or, as in Svix, an archived one of that name unarchived and its fields replaced. */
    public EventType create(Body body) {
        String name = requiredName(body);
        var archived = name == null ? Optional.<EventType>empty() : types.find(name).filter(EventType::archived);
        if (archived.isPresent()) return saved(types.update(read(body, name, archived.get(), false)));
        return saved(types.insert(read(body, name, null, false)));
    }

    /** EventTypeUpdate (a PUT of an existing type): the body's fields replace the type's. */
    public EventType replace(EventType existing, Body body) {
        return saved(types.update(read(body, existing.name(), existing, false)));
    }

    /** Archived (Svix's DELETE) or back in the catalog: no new messages, no new filters on it while archived. */
    public EventType setArchived(EventType current, boolean archived) {
        return saved(types.update(new EventType(current.name(), current.description(), current.schemasJson(), archived,
                current.deprecated(), current.featureFlag(), current.featureFlags(), current.groupName(),
                current.createdAt(), clock.instant(), current.validatePayloads())));
    }

    /** EventTypeIn's {@code name}: required, of Svix's alphabet. */
    static String requiredName(Body body) {
        String name = body.requiredString("name", 1, 256);
        if (name != null && !NAME.matcher(name).matches()) {
            body.fail("name", "string does not match regex \"" + NAME.pattern() + "\"", "value_error.str.regex");
        }
        return name;
    }

    /** An application token sees the types without a feature flag, and those with one it bears (as Svix does). */
    void list(Context ctx) {
        boolean includeArchived = QueryParams.bool(ctx, "include_archived", false);
        boolean withContent = QueryParams.bool(ctx, "with_content", false); // Svix's default: the schemas left out
        var flags = Auth.principal(ctx).featureFlags();
        ctx.json(Lists.response(types.list(Lists.request(ctx, false, null), includeArchived, flags),
                t -> EventTypeOut.of(t, withContent)));
    }

    /** A type hidden from the token by its feature flags is not found. */
    void get(Context ctx) {
        var type = find(ctx);
        if (!type.visibleWith(Auth.principal(ctx).featureFlags())) throw ApiException.notFound("Event type");
        ctx.json(EventTypeOut.of(type));
    }

    /** PUT creates a missing event type (201), as Svix does. */
    void put(Context ctx) {
        Auth.requireAdmin(ctx);
        String name = ctx.pathParam("name");
        var body = Body.of(ctx);
        var existing = types.find(name);
        if (existing.isEmpty()) {
            if (!NAME.matcher(name).matches() || name.length() > 256) {
                throw ValidationException.of("name", "invalid event type name", "value_error.str.regex");
            }
            try {
                var created = saved(types.insert(read(body, name, null, false)));
                ctx.status(201).json(EventTypeOut.of(created));
                return;
            } catch (ConflictException e) {
                // a PUT racing this one made the type first: this one replaces it, as if it had come after
                existing = types.find(name);
                if (existing.isEmpty()) throw e;
            }
        }
        ctx.json(EventTypeOut.of(replace(existing.get(), body)));
    }

    void patch(Context ctx) {
        Auth.requireAdmin(ctx);
        var current = find(ctx);
        var body = Body.of(ctx);
        ctx.json(EventTypeOut.of(saved(types.update(read(body, current.name(), current, true)))));
    }

    void delete(Context ctx) {
        Auth.requireAdmin(ctx);
        var current = find(ctx);
        if (QueryParams.bool(ctx, "expunge", false)) {
            types.expunge(current.name());
            gate.forget(current.name());
        } else {
            setArchived(current, true);
        }
        ctx.status(204);
    }

    /** Publishing caches event types for a second; this node's own changes apply at once. */
    EventType saved(EventType written) {
        gate.forget(written.name());
        return written;
    }

    private EventType find(Context ctx) {
        return types.find(ctx.pathParam("name")).orElseThrow(() -> ApiException.notFound("Event type"));
    }
}
