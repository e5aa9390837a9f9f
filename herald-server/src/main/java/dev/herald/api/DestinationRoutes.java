package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Ids;
import dev.herald.domain.Poller;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Svix 2.x's destinations, {@code /api/v1/app/{app}/destination}, of the one type Herald has: {@code pollingEndpoint},
 * which is a polling endpoint under another name (the same rows, the same checks, read through the poller routes).
 * The other types (S3, SQS, BigQuery, …) are a 422: Herald sends nothing to cloud services.
 */
public final class DestinationRoutes {
    private static final String BASE = "/api/v1/app/{app_id}/destination";
    static final String POLLING = "pollingEndpoint";

    /** Svix's DestinationOut for a polling endpoint: always enabled, no batching, no metadata kept. */
    public record DestinationOut(String id, String uid, String status, String currentIterator, Instant createdAt,
                                 Instant updatedAt, int batchSize, int maxWaitSecs, Set<String> eventTypes,
                                 Set<String> channels, Map<String, String> metadata, String type, Map<String, Object> config) {
        static DestinationOut of(Poller p) {
            return new DestinationOut(p.id(), p.uid(), "enabled", "", p.createdAt(), p.updatedAt(), 0, 0, p.filterTypes(),
                    p.channels(), Map.of(), POLLING, Map.of());
        }
    }

    private final AppResolver apps;
    private final PollerRoutes pollers;

    public DestinationRoutes(AppResolver apps, PollerRoutes pollers) {
        this.apps = apps;
        this.pollers = pollers;
    }

    public void register(RoutesConfig routes) {
        routes.get(BASE, this::list);
        routes.post(BASE, this::create);
        routes.get(BASE + "/{destination_id}", ctx -> {
            var app = apps.resolve(ctx);
            ctx.json(DestinationOut.of(pollers.find(ctx, app, "destination_id")));
        });
        routes.put(BASE + "/{destination_id}", this::upsert);
        routes.patch(BASE + "/{destination_id}", this::patch);
        routes.delete(BASE + "/{destination_id}", ctx -> {
            var app = apps.resolve(ctx);
            pollers.delete(app, pollers.find(ctx, app, "destination_id"));
            ctx.status(204);
        });
        routes.get(BASE + "/{destination_id}/transformation", this::transformation);
        routes.patch(BASE + "/{destination_id}/transformation", this::patchTransformation);
    }

    /** Svix's DestinationTransformationOut. A polling endpoint has none: the poller serves messages as published. */
    public record TransformationOut(String code, boolean enabled) {}

    void transformation(Context ctx) {
        var app = apps.resolve(ctx);
        pollers.find(ctx, app, "destination_id");
        ctx.json(new TransformationOut(null, false));
    }

    /** DestinationTransformIn: {@code code} null (none) is kept as it is; a transformation is a 422. */
    void patchTransformation(Context ctx) {
        var app = apps.resolve(ctx);
        pollers.find(ctx, app, "destination_id");
        var body = Body.of(ctx);
        JsonNode code = body.raw("code");
        if (code != null && !code.isNull()) {
            body.fail("code", "Herald's polling endpoints take no transformation: each message is served as it was published",
                    "value_error");
        }
        body.validate();
        ctx.status(204);
    }

    void list(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(Lists.response(pollers.page(app, Lists.request(ctx, false, Ids.POLLER, Ids.ENDPOINT)), DestinationOut::of));
    }

    /** DestinationIn: {@code type} must be pollingEndpoint; {@code uid}, {@code eventTypes}, {@code channels}. */
    void create(Context ctx) {
        var app = apps.resolve(ctx);
        var body = Body.of(ctx);
        checkPolling(body, true);
        ctx.status(201).json(DestinationOut.of(pollers.create(app, body)));
    }

    /** PUT: replaces the destination named by id or uid, or makes one (named by the path's uid when it is not an id). */
    /**
     * PUT makes the destination when the path names a uid none has, and replaces it otherwise. A PUT to a uid keeps
     * that uid when the body names none (a replacement that cleared it made the next PUT to the same path a second
     * destination). Of PUTs racing to make one uid, one makes it and the others replace it.
     */
    void upsert(Context ctx) {
        var app = apps.resolve(ctx);
        String key = ctx.pathParam("destination_id");
        var body = Body.of(ctx);
        var existing = pollers.findByKey(app, key);
        if (existing.isEmpty()) {
            if (!ApplicationRoutes.namesUid(key, Ids.POLLER) || key.startsWith(Ids.ENDPOINT)) {
                throw ApiException.notFound("Destination");
            }
            var made = body.has("uid") ? body : withUid(ctx.bodyAsBytes(), key);
            checkPolling(made, true);
            try {
                var created = pollers.create(app, made);
                ctx.status(201).json(DestinationOut.of(created));
                return;
            } catch (ConflictException e) {
                existing = pollers.findByKey(app, key);
                if (existing.isEmpty()) throw e; // the uid in the body is another destination's
            }
        }
        if (!body.has("uid") && key.equals(existing.get().uid())) body = withUid(ctx.bodyAsBytes(), key);
        checkPolling(body, true);
        ctx.json(DestinationOut.of(pollers.subscribe(app, existing.get().id(), body)));
    }

    /** The body (an object: Body.of took it) with {@code uid} set. */
    private static Body withUid(byte[] json, String uid) {
        try {
            var node = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(json);
            node.put("uid", uid);
            return Body.of(Json.MAPPER.writeValueAsBytes(node));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a body read once could not be read again", e);
        }
    }

    /** DestinationPatch: the fields given replace the destination's. */
    void patch(Context ctx) {
        var app = apps.resolve(ctx);
        var current = pollers.find(ctx, app, "destination_id");
        var body = Body.of(ctx);
        checkPolling(body, false);
        ctx.json(DestinationOut.of(pollers.patch(app, current, body)));
    }

    /**
     * Refuses what a polling endpoint cannot be: another type, disabled, or carrying metadata (Herald's pollers keep
     * none, and silently dropping it would lose it).
     */
    static void checkPolling(Body body, boolean typeRequired) {
        JsonNode type = body.raw("type");
        if (type == null || type.isNull()) {
            if (typeRequired) body.fail("type", "field required", "value_error.missing");
        } else if (!POLLING.equals(type.asText(null)) || !type.isTextual()) {
            body.fail("type", "Herald keeps pollingEndpoint destinations only", "value_error.const");
        }
        JsonNode status = body.raw("status");
        if (status != null && !status.isNull() && !"enabled".equals(status.asText())) {
            body.fail("status", "a polling endpoint is always enabled", "value_error.const");
        }
        JsonNode metadata = body.raw("metadata");
        if (metadata != null && !metadata.isNull() && !(metadata.isObject() && metadata.isEmpty())) {
            body.fail("metadata", "Herald's polling endpoints keep no metadata", "value_error");
        }
    }
}
