package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Ids;
import dev.herald.store.ApplicationStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /api/v1/app}: create, list, read, update (PUT upserts), patch, delete. */
public final class ApplicationRoutes {
    private final ApplicationStore apps;
    private final AppResolver resolver;
    private final Clock clock;

    public ApplicationRoutes(ApplicationStore apps, AppResolver resolver, Clock clock) {
        this.apps = apps;
        this.resolver = resolver;
        this.clock = clock;
    }

    public record ApplicationOut(String id, String uid, String name, Long rateLimit, Long throttleRate,
                                 Map<String, String> metadata, Instant createdAt, Instant updatedAt) {
        static ApplicationOut of(Application a) {
            return new ApplicationOut(a.id(), a.uid(), a.name(), a.rateLimit(), a.throttleRate(), a.metadata(),
                    a.createdAt(), a.updatedAt());
        }
    }

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/app", this::create);
        routes.get("/api/v1/app", this::list);
        routes.get("/api/v1/app/{app_id}", this::get);
        routes.put("/api/v1/app/{app_id}", this::put);
        routes.patch("/api/v1/app/{app_id}", this::patch);
        routes.delete("/api/v1/app/{app_id}", this::delete);
    }

    /**
     * Whether a PUT's path key that names nothing may name what the PUT makes (Svix's upsert by uid): a uid Herald would
     * take (its alphabet, at most 256 characters) and not an id of the kind ({@code idPrefix}).
     */
    static boolean namesUid(String key, String idPrefix) {
        return key.length() <= 256 && Body.UID.matcher(key).matches() && !key.startsWith(idPrefix);
    }

    /** The fields of ApplicationIn, validated together. */
    record Fields(String name, String uid, Long rateLimit, Long throttleRate, Map<String, String> metadata) {
        static Fields read(Body body) {
            var fields = new Fields(
                    body.displayable("name", body.requiredString("name", 1, 256)),
                    body.uid("uid", Ids.APP),
                    body.positiveU16("rateLimit"),
                    body.positiveU16("throttleRate"),
                    body.metadata("metadata"));
            body.validate();
            return fields;
        }
    }

    /** Also used by message publishing's {@code application} field. */
    public Application createFrom(Body body) {
        return insert(Fields.read(body));
    }

    /**
     * Svix's {@code application} beside a request (publishing, app-portal-access): when no application has the path's
     * key, one is created from it (admin only), the key its uid unless it names one. Null when the body has no
     * {@code application} or the path's application exists; the application itself when one was made, or when another
     * request made it meanwhile.
     */
    public Application createIfMissing(Context ctx, Body body) {
        String key = ctx.pathParam("app_id");
        com.fasterxml.jackson.databind.JsonNode appIn = body.raw("application");
        if (appIn == null || appIn.isNull() || apps.find(key).isPresent()) return null;
        Auth.requireAdmin(ctx);
        if (!appIn.isObject()) throw ValidationException.of("application", "value is not a valid dict", "type_error.dict");
        // its errors located under body.application, as svix-server's nested validation puts them
        var appBody = Body.nested(((com.fasterxml.jackson.databind.node.ObjectNode) appIn).deepCopy(),
                List.of("body", "application"));
        var given = appBody.raw("uid");
        if ((given == null || given.isNull()) && namesUid(key, Ids.APP)) {
            appBody.root().put("uid", key);
        }
        // as Svix: an application made on the way must be the one the path names, or the message would land elsewhere
        // (an id in the path, or a uid left out that the path cannot give, would make an application no path names)
        var uid = appBody.raw("uid");
        if (uid == null || uid.isNull()) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body", "application", "uid"),
                    "No application has the id or uid in the path, and one made here must have that uid",
                    "application_uid_missing")));
        }
        if (uid.isTextual() && !uid.textValue().equals(key)) {
            throw new ValidationException(List.of(new ValidationException.Item(List.of("body", "application", "uid"),
                    "Application UID in the path and body must match", "application_uid_mismatch")));
        }
        try {
            return createFrom(appBody);
        } catch (ConflictException e) {
            return resolver.resolve(ctx);
        }
    }

    private Application insert(Fields in) {
        Instant now = clock.instant();
        return apps.insert(new Application(Ids.next(Ids.APP), in.uid(), in.name(), in.rateLimit(), in.throttleRate(),
                in.metadata() == null ? Map.of() : in.metadata(), now, now));
    }

    /** {@code ?get_if_exists=true} answers 200 with the application already holding the uid (validated body first). */
    void create(Context ctx) {
        Auth.requireAdmin(ctx);
        var in = Fields.read(Body.of(ctx));
        boolean getIfExists = QueryParams.bool(ctx, "get_if_exists", false) && in.uid() != null;
        if (getIfExists) {
            var existing = byUid(in.uid());
            if (existing.isPresent()) {
                ctx.status(200).json(ApplicationOut.of(existing.get()));
                return;
            }
        }
        try {
            ctx.status(201).json(ApplicationOut.of(insert(in)));
        } catch (ConflictException e) {
            // a concurrent get-or-create won the uid: answer with its application, as a sequential call would
            var winner = getIfExists ? byUid(in.uid()) : Optional.<Application>empty();
            if (winner.isEmpty()) throw e;
            ctx.status(200).json(ApplicationOut.of(winner.get()));
        }
    }

    private Optional<Application> byUid(String uid) {
        return apps.find(uid).filter(a -> uid.equals(a.uid()));
    }

    void list(Context ctx) {
        Auth.requireAdmin(ctx);
        // exclude_apps_with_svix_play_endpoints has nothing to leave out: Herald has no Svix Play endpoints
        var exclude = new ApplicationStore.Exclusions(QueryParams.bool(ctx, "exclude_apps_with_no_endpoints", false),
                QueryParams.bool(ctx, "exclude_apps_with_disabled_endpoints", false));
        // oldest first unless asked otherwise, as svix-server lists applications (its endpoints and messages newest first)
        ctx.json(Lists.response(apps.list(Lists.request(ctx, false, Ids.APP), exclude), ApplicationOut::of));
    }

    void get(Context ctx) {
        ctx.json(ApplicationOut.of(resolver.resolve(ctx)));
    }

    /**
     * PUT creates the application when it does not exist yet (its path key becomes the uid), as Svix does, and
     * replaces it when it does. A PUT to a uid keeps that uid when the body names none (Svix's replacement cleared it,
     * so the next PUT to the same path made a second application). Of PUTs racing to make one uid, one makes it and
     * the others replace it, as if they had come after.
     */
    void put(Context ctx) {
        var body = Body.of(ctx);
        var in = Fields.read(body);
        String key = ctx.pathParam("app_id");
        Instant now = clock.instant();
        if (apps.find(key).isEmpty()) {
            Auth.requireAdmin(ctx);
            // only a uid names an application yet to be made: an id, or a key no uid can be, names one that is not there
            if (!namesUid(key, Ids.APP)) throw ApiException.notFound("Application");
            String uid = in.uid() != null ? in.uid() : key;
            try {
                var app = apps.insert(new Application(Ids.next(Ids.APP), uid, in.name(), in.rateLimit(), in.throttleRate(),
                        in.metadata() == null ? Map.of() : in.metadata(), now, now));
                ctx.status(201).json(ApplicationOut.of(app));
                return;
            } catch (ConflictException e) {
                if (apps.find(key).isEmpty()) throw e; // the uid in the body is another application's
            }
        }
        Auth.requireAdmin(ctx); // svix-server: replacing, renaming or deleting an application is the organization's
        var current = resolver.resolve(ctx);
        String uid = in.uid() != null ? in.uid() : key.equals(current.uid()) ? key : null;
        var updated = apps.update(new Application(current.id(), uid, in.name(), in.rateLimit(), in.throttleRate(),
                in.metadata() == null ? Map.of() : in.metadata(), current.createdAt(), now));
        if (!java.util.Objects.equals(current.uid(), updated.uid())) resolver.forgetUid(current.uid());
        ctx.json(ApplicationOut.of(updated));
    }

    void patch(Context ctx) {
        Auth.requireAdmin(ctx);
        var current = resolver.resolve(ctx);
        var body = Body.of(ctx);
        String name = body.has("name") ? body.displayable("name", body.requiredString("name", 1, 256)) : null;
        String uid = body.has("uid") ? body.uid("uid", Ids.APP) : null;
        Long rateLimit = body.has("rateLimit") ? body.positiveU16("rateLimit") : null;
        Long throttleRate = body.has("throttleRate") ? body.positiveU16("throttleRate") : null;
        Map<String, String> metadata = body.has("metadata") ? body.metadata("metadata") : null;
        body.refuseNull("metadata"); // svix-server's ApplicationPatch: absent or a value (null wiped it)
        body.validate();
        var updated = apps.patch(new dev.herald.store.ApplicationStore.Patch(current.id(), body.has("uid"), uid,
                body.has("name"), name, body.has("rateLimit"), rateLimit, body.has("throttleRate"), throttleRate,
                body.has("metadata"), metadata, clock.instant()));
        if (!java.util.Objects.equals(current.uid(), updated.uid())) resolver.forgetUid(current.uid());
        ctx.json(ApplicationOut.of(updated));
    }

    void delete(Context ctx) {
        Auth.requireAdmin(ctx);
        var app = resolver.resolve(ctx);
        apps.delete(app.id());
        resolver.forgetUid(app.uid());
        ctx.status(204);
    }
}
