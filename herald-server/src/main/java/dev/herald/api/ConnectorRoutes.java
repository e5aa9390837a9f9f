package dev.herald.api;

import dev.herald.outbound.UrlPolicy;
import dev.herald.domain.Connector;
import dev.herald.domain.Ids;
import dev.herald.store.ConnectorStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Svix's connectors (admin only), {@code /api/v1/connector}: the transformation templates the app portal offers
 * customers (a Slack or Discord message, a CRM's shape). A connector's {@code transformation} is Herald's template as
 * JSON text, checked as an endpoint's is; Svix's are JavaScript, which Herald does not run, so such a text is a 422.
 * Only the {@code Dispatch} product exists here (webhooks); {@code Stream} connectors are refused.
 */
public final class ConnectorRoutes {
    /** Svix's ConnectorKind. */
    public static final List<String> KINDS = List.of("Custom", "AgenticCommerceProtocol", "CloseCRM", "CustomerIO", "Discord",
            "Hubspot", "Inngest", "Loops", "Otel", "Resend", "Salesforce", "Segment", "Sendgrid", "Slack", "Teams",
            "TriggerDev", "Windmill", "Zapier");
    /** Svix's environment id field; Herald's database is one environment. */
    static final String ORG_ID = "org_herald";
    /** Connectors an environment keeps: an operator's short list. */
    static final int MAX_CONNECTORS = 1_000;
    private static final Pattern FLAG = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");

    /** Svix's ConnectorOut. */
    public record ConnectorOut(String id, String orgId, String uid, String kind, String name, String logo,
                               String description, String instructions, Set<String> allowedEventTypes,
                               String transformation, Instant createdAt, Instant updatedAt,
                               Instant transformationUpdatedAt, Set<String> featureFlags, String productType) {
        public static ConnectorOut of(Connector c) {
            return new ConnectorOut(c.id(), ORG_ID, c.uid(), c.kind(), c.name(), c.logo(), c.description(),
                    c.instructions(), c.allowedEventTypes(), c.transformation(), c.createdAt(), c.updatedAt(),
                    c.transformationUpdatedAt(), c.featureFlags(), c.productType());
        }
    }

    private final ConnectorStore connectors;
    private final Clock clock;
    private final UrlPolicy urlPolicy;

    public ConnectorRoutes(ConnectorStore connectors, Clock clock, UrlPolicy urlPolicy) {
        this.connectors = connectors;
        this.clock = clock;
        this.urlPolicy = urlPolicy;
    }

    public void register(RoutesConfig routes) {
        String base = "/api/v1/connector";
        routes.get(base, this::list);
        routes.post(base, ctx -> {
            Auth.requireAdmin(ctx);
            ctx.status(201).json(ConnectorOut.of(create(Body.of(ctx), null)));
        });
        routes.get(base + "/{connector_id}", ctx -> {
            Auth.requireAdmin(ctx);
            ctx.json(ConnectorOut.of(find(ctx)));
        });
        routes.put(base + "/{connector_id}", this::upsert);
        routes.patch(base + "/{connector_id}", this::patch);
        routes.delete(base + "/{connector_id}", ctx -> {
            Auth.requireAdmin(ctx);
            connectors.delete(find(ctx).id());
            ctx.status(204);
        });
    }

    void list(Context ctx) {
        Auth.requireAdmin(ctx);
        String product = ctx.queryParam("product_type");
        if (product != null && !product.equals(Connector.DISPATCH) && !product.equals("Stream")) {
            throw ValidationException.query("product_type", "product_type must be Dispatch or Stream");
        }
        ctx.json(Lists.response(connectors.list(Lists.request(ctx, false, Ids.CONNECTOR), product), ConnectorOut::of));
    }

    /** ConnectorIn: {@code name} and {@code transformation} required; {@code uid} given or named by the path. */
    public Connector create(Body body, String pathUid) {
        return connectors.insert(read(body, null, pathUid), MAX_CONNECTORS);
    }

    /**
     * PUT (Svix's ConnectorUpdate, 2.x's ConnectorUpsertIn): the fields replace the connector's, absent ones taking their
     * defaults ({@code name} and {@code uid} kept when left out); one that does not exist is made, named by the path's
     * uid when the path is not an id.
     */
    void upsert(Context ctx) {
        Auth.requireAdmin(ctx);
        String key = ctx.pathParam("connector_id");
        var body = Body.of(ctx);
        var existing = connectors.find(key);
        if (existing.isPresent()) {
            ctx.json(ConnectorOut.of(replace(existing.get(), body)));
            return;
        }
        if (!ApplicationRoutes.namesUid(key, Ids.CONNECTOR)) throw notFound();
        ctx.status(201).json(ConnectorOut.of(create(body, key)));
    }

    /** The connector's fields replaced by the body's, as a PUT does. */
    public Connector replace(Connector existing, Body body) {
        return connectors.update(read(body, existing, null));
    }

    /** ConnectorPatch: only the fields given change; null clears {@code logo}, {@code allowedEventTypes}, {@code featureFlags}. */
    void patch(Context ctx) {
        Auth.requireAdmin(ctx);
        var current = find(ctx);
        var body = Body.of(ctx);
        String name = body.has("name") ? body.requiredString("name", 1, 256) : current.name();
        String logo = body.has("logo") ? logo(body) : current.logo();
        String description = body.has("description") ? body.requiredString("description", 0, 4_096) : current.description();
        String kind = body.has("kind") ? kind(body) : current.kind();
        String instructions = body.has("instructions") ? body.requiredString("instructions", 0, 20_000) : current.instructions();
        Set<String> allowed = body.has("allowedEventTypes") ? allowedEventTypes(body) : current.allowedEventTypes();
        String transformation = body.has("transformation") ? transformation(body) : current.transformation();
        Set<String> flags = body.has("featureFlags") ? featureFlags(body) : current.featureFlags();
        body.validate();
        Instant now = clock.instant();
        ctx.json(ConnectorOut.of(connectors.update(new Connector(current.id(), current.uid(), name, kind, logo, description,
                instructions, allowed, transformation, flags, current.productType(), current.createdAt(), now,
                transformation.equals(current.transformation()) ? current.transformationUpdatedAt() : now))));
    }

    /**
     * ConnectorIn read whole (create, PUT, an environment import): {@code existing} null makes a new connector
     * ({@code name} required); otherwise its id, creation time, and name and uid when left out, are kept.
     */
    Connector read(Body body, Connector existing, String pathUid) {
        String name = existing == null || body.has("name") ? body.requiredString("name", 1, 256) : existing.name();
        String uid = body.has("uid") ? body.uid("uid", Ids.CONNECTOR)
                : existing != null ? existing.uid() : pathUid;
        String logo = logo(body);
        String description = body.has("description") ? body.requiredString("description", 0, 4_096) : "";
        String kind = body.has("kind") ? kind(body) : "Custom";
        String instructions = body.has("instructions") ? body.requiredString("instructions", 0, 20_000) : "";
        Set<String> allowed = allowedEventTypes(body);
        String transformation = transformation(body);
        Set<String> flags = featureFlags(body);
        String product = body.string("productType", 1, 64);
        if (product != null && !product.equals(Connector.DISPATCH)) {
            body.fail("productType", "Herald delivers webhooks only: productType must be Dispatch", "value_error");
        }
        body.validate();
        Instant now = clock.instant();
        if (existing == null) {
            return new Connector(Ids.next(Ids.CONNECTOR), uid, name, kind, logo, description, instructions, allowed,
                    transformation, flags, Connector.DISPATCH, now, now, now);
        }
        return new Connector(existing.id(), uid, name, kind, logo, description, instructions, allowed, transformation,
                flags, existing.productType(), existing.createdAt(), now,
                transformation.equals(existing.transformation()) ? existing.transformationUpdatedAt() : now);
    }

    private static String logo(Body body) {
        String logo = body.string("logo", 1, 2_048);
        if (logo != null && !(logo.startsWith("https://") || logo.startsWith("http://"))) {
            body.fail("logo", "the logo must be an http(s) URL", "value_error.url.scheme");
            return null;
        }
        return logo;
    }

    private static String kind(Body body) {
        String kind = body.requiredString("kind", 1, 64);
        if (kind != null && !KINDS.contains(kind)) {
            body.fail("kind", "value is not a valid enumeration member; permitted: " + String.join(", ", KINDS), "type_error.enum");
            return null;
        }
        return kind;
    }

    private static Set<String> allowedEventTypes(Body body) {
        Set<String> types = body.stringSet("allowedEventTypes", 1_000, EventTypeRoutes.NAME, 256);
        return types == null || types.isEmpty() ? null : types;
    }

    private static Set<String> featureFlags(Body body) {
        Set<String> flags = body.stringSet("featureFlags", 10, FLAG, 256);
        return flags == null || flags.isEmpty() ? null : flags;
    }

    private String transformation(Body body) {
        String text = body.requiredString("transformation", 1, 65_536);
        return text == null ? null : RoutingInput.transformationText(body, "transformation", text, urlPolicy);
    }

    private Connector find(Context ctx) {
        return connectors.find(ctx.pathParam("connector_id")).orElseThrow(ConnectorRoutes::notFound);
    }

    private static ApiException notFound() {
        return ApiException.notFound("Connector");
    }
}
