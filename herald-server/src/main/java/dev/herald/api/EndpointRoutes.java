package dev.herald.api;

import dev.herald.outbound.UrlPolicy;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.Application;
import dev.herald.domain.ConflictException;
import dev.herald.domain.Endpoint;
import dev.herald.domain.Ids;
import dev.herald.security.WebhookSecrets;
import dev.herald.store.EndpointStore;
import dev.herald.store.EventTypeStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /api/v1/app/{app_id}/endpoint}: endpoints, their secret and their custom headers. The same routes serve
 * Svix's operational webhook endpoints ({@code /api/v1/operational-webhook/endpoint}, admin only), which are the
 * endpoints of Herald's own application ({@link #operational}).
 */
public final class EndpointRoutes {
    public static final Duration DEFAULT_GRACE = Duration.ofHours(24);
    /**
     * Retired secrets that may sign beside the current one, as Svix's {@code MAX_OLD_KEYS} (5 in its older servers,
     * 10 in its current one): each delivery is signed with every one, so without a bound a loop of rotations grew every
     * request's signature header (and its signing CPU) without end.
     */
    public static final int MAX_RETIRED_SECRETS = 10;
    private static final String BASE = "/api/v1/app/{app_id}/endpoint";
    static final String OPERATIONAL_BASE = "/api/v1/operational-webhook/endpoint";

    /** The application a request's endpoints belong to. */
    @FunctionalInterface
    public interface AppLookup {
        Application resolve(Context ctx);
    }

    private final EndpointStore endpoints;
    private final Function<Collection<String>, List<String>> missingTypes;
    private final AppLookup apps;
    private final String base;
    private final Function<Endpoint, Object> out;
    private final Clock clock;
    private final int maxEndpointsPerApp;
    private final UrlPolicy urlPolicy;
    private final EndpointListener listener;
    private final Supplier<String> newSecret;

    /** {@code newSecret} makes the secret of an endpoint given none, and of a rotation without a key. */
    public EndpointRoutes(EndpointStore endpoints, EventTypeStore eventTypes, AppResolver apps, Clock clock,
                          int maxEndpointsPerApp, UrlPolicy urlPolicy,
                          EndpointListener listener, Supplier<String> newSecret) {
        this(endpoints, eventTypes::missing, apps::resolve, BASE, EndpointOut::of, clock, maxEndpointsPerApp, urlPolicy,
                listener, newSecret);
    }

    private EndpointRoutes(EndpointStore endpoints, Function<Collection<String>, List<String>> missingTypes, AppLookup apps,
                           String base, Function<Endpoint, Object> out, Clock clock, int maxEndpointsPerApp,
                           UrlPolicy urlPolicy, EndpointListener listener,
                           Supplier<String> newSecret) {
        this.newSecret = newSecret;
        this.endpoints = endpoints;
        this.missingTypes = missingTypes;
        this.apps = apps;
        this.base = base;
        this.out = out;
        this.clock = clock;
        this.maxEndpointsPerApp = maxEndpointsPerApp;
        this.urlPolicy = urlPolicy;
        this.listener = listener;
    }

    /**
     * Svix's operational webhook endpoints (admin only): the endpoints of {@code application}, whose {@code filterTypes}
     * may name only the {@code eventTypes} Herald raises, and which answer as Svix's OperationalWebhookEndpointOut.
     */
    public static EndpointRoutes operational(EndpointStore endpoints, java.util.function.Supplier<Application> application,
                                             Set<String> eventTypes, Clock clock, int maxEndpoints,
                                             UrlPolicy urlPolicy, EndpointListener listener,
                                             Supplier<String> newSecret) {
        AppLookup admin = ctx -> {
            Auth.requireAdmin(ctx);
            return application.get();
        };
        Function<Collection<String>, List<String>> missing = names -> names.stream().filter(n -> !eventTypes.contains(n)).toList();
        return new EndpointRoutes(endpoints, missing, admin, OPERATIONAL_BASE, OperationalEndpointOut::of, clock, maxEndpoints,
                urlPolicy, listener, newSecret);
    }

    /** Svix's OperationalWebhookEndpointOut. */
    public record OperationalEndpointOut(String id, String url, String description, String uid, Long rateLimit,
                                         Long throttleRate, boolean disabled, Set<String> filterTypes,
                                         Map<String, String> metadata, Instant createdAt, Instant updatedAt) {
        static OperationalEndpointOut of(Endpoint e) {
            return new OperationalEndpointOut(e.id(), e.url(), e.description(), e.uid(), e.rateLimit(), e.throttleRate(),
                    e.disabled(), e.filterTypes(), e.metadata(), e.createdAt(), e.updatedAt());
        }
    }

    /** Svix's EndpointOut; {@code filter} and {@code transformation} are Herald's extras, left out when unset. */
    public record EndpointOut(String id, String url, String description, String uid, int version, Long rateLimit,
                              Long throttleRate, boolean disabled, Set<String> filterTypes, Set<String> channels,
                              Map<String, String> metadata, Instant createdAt, Instant updatedAt,
                              @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode filter,
                              @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode transformation,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String ordering) {
        public static EndpointOut of(Endpoint e) {
            return new EndpointOut(e.id(), e.url(), e.description(), e.uid(), e.version(), e.rateLimit(),
                    e.throttleRate(), e.disabled(), e.filterTypes(), e.channels(), e.metadata(), e.createdAt(),
                    e.updatedAt(), json(e.filterJson()), json(e.transformationJson()), e.ordering());
        }

        private static JsonNode json(String stored) {
            // jsonb writes numbers out in full (1e100 as 101 digits): read with the stored text's limits, not the API's
            return stored == null ? null : dev.herald.routing.PayloadJson.parse(stored);
        }
    }

    public record SecretOut(String key) {}

    /**
     * Svix's EndpointHeadersOut: the headers, but those that carry credentials by name only ({@code sensitive}), as
     * Svix answers: a token that may read the endpoint (a view-only portal's) does not get its credentials.
     */
    public record HeadersOut(Map<String, String> headers, Set<String> sensitive) {
        static final Set<String> SENSITIVE = Set.of("authorization", "proxy-authorization", "x-auth-token",
                "www-authenticate", "proxy-authenticate");

        /** A header that carries a credential: shown by name only. */
        public static boolean sensitive(String name) {
            return SENSITIVE.contains(name.toLowerCase(java.util.Locale.ROOT));
        }

        public static HeadersOut of(Map<String, String> stored) {
            var shown = new LinkedHashMap<String, String>();
            var withheld = new java.util.LinkedHashSet<String>();
            stored.forEach((name, value) -> {
                if (sensitive(name)) withheld.add(name);
                else shown.put(name, value);
            });
            return new HeadersOut(shown, withheld);
        }
    }

    public void register(RoutesConfig routes) {
        routes.post(base, this::create);
        routes.get(base, this::list);
        routes.get(base + "/{endpoint_id}", this::get);
        routes.put(base + "/{endpoint_id}", this::put);
        routes.patch(base + "/{endpoint_id}", this::patch);
        routes.delete(base + "/{endpoint_id}", this::delete);
        routes.get(base + "/{endpoint_id}/secret", this::getSecret);
        routes.post(base + "/{endpoint_id}/secret/rotate", this::rotateSecret);
        routes.get(base + "/{endpoint_id}/headers", this::getHeaders);
        routes.put(base + "/{endpoint_id}/headers", this::putHeaders);
        routes.patch(base + "/{endpoint_id}/headers", this::patchHeaders);
    }

    /**
     * EndpointIn read whole (POST and PUT): absent optional fields take their defaults, except Herald's
     * extras (headers, filter, transformation), which a PUT leaves as they are unless given (null clears):
     * a Svix SDK updating an endpoint knows nothing of them and must not silently drop them.
     */
    private Endpoint readWhole(Body body, Application app, String id, Endpoint existing) {
        String url = EndpointInput.url(body, "url", true, urlPolicy);
        String description = body.displayable("description", body.string("description", 0, 10_000));
        String uid = body.uid("uid", Ids.ENDPOINT);
        Boolean disabled = body.bool("disabled");
        Set<String> filterTypes = filterTypes(body);
        Set<String> channels = channels(body);
        Map<String, String> headers = EndpointInput.headers(body, "headers");
        boolean keepHeaders = existing != null && !body.has("headers"); // not given: kept as they are; null clears
        Long rateLimit = body.positiveU16("rateLimit");
        Long throttleRate = body.positiveU16("throttleRate");
        Map<String, String> metadata = body.metadata("metadata");
        Long version = body.positiveU16("version");
        String filter = body.has("filter") || existing == null ? RoutingInput.filter(body) : existing.filterJson();
        String transformation = body.has("transformation") || existing == null
                ? RoutingInput.transformation(body, urlPolicy) : existing.transformationJson();
        String ordering = body.has("ordering") || existing == null ? ordering(body) : existing.ordering();
        body.validate();
        Instant now = clock.instant();
        return new Endpoint(id, app.id(), uid, url, description == null ? "" : description,
                disabled != null && disabled, filterTypes, channels,
                keepHeaders ? existing.headers() : (headers == null ? Map.of() : headers),
                rateLimit, throttleRate, metadata == null ? Map.of() : metadata,
                version == null ? 1 : version.intValue(),
                existing == null ? now : existing.createdAt(), now, filter, transformation, ordering,
                keepHeaders ? existing.sealedHeaders() : null);
    }

    /** Herald's {@code ordering}: "fifo", or "unordered"/null for the default (stored as null). */
    private static String ordering(Body body) {
        String ordering = body.string("ordering", 1, 20);
        if (ordering == null || ordering.equals("unordered")) return null;
        if (!ordering.equals(Endpoint.FIFO)) {
            body.fail("ordering", "ordering must be \"fifo\" or \"unordered\"", "value_error.const");
            return null;
        }
        return ordering;
    }

    /**
     * {@code filterTypes} (or Herald's alias {@code eventTypes}); every name must exist. An empty list is refused, as
     * Svix refuses it: it read as "every type" here, where its writer may well have meant none; null means every type.
     */
    private Set<String> filterTypes(Body body) {
        String field = body.has("filterTypes") || !body.has("eventTypes") ? "filterTypes" : "eventTypes";
        if (isEmptyList(body, field)) {
            body.fail(field, field + " can't be empty, it must have at least one item (or be null: every type)", "value_error");
            return null;
        }
        return EndpointInput.eventTypes(body, field, missingTypes);
    }

    /** {@code channels}: 1 to 10, or null for every message; an empty list is refused, as Svix refuses it. */
    private static Set<String> channels(Body body) {
        if (isEmptyList(body, "channels")) {
            body.fail("channels", "Channels must have at least 1 and at most 10 items, or be set to null.", "value_error");
            return null;
        }
        return EndpointInput.channels(body);
    }

    private static boolean isEmptyList(Body body, String field) {
        var node = body.raw(field);
        return node != null && node.isArray() && node.isEmpty();
    }

    void create(Context ctx) {
        ctx.status(201).json(out.apply(create(apps.resolve(ctx), Body.of(ctx))));
    }

    /** EndpointIn read, checked and stored (the API's POST and the app portal's form). */
    public Endpoint create(Application app, Body body) {
        String secret = EndpointInput.secret(body, "secret");
        var endpoint = readWhole(body, app, Ids.next(Ids.ENDPOINT), null);
        var created = endpoints.insert(endpoint, secret != null ? WebhookSecrets.normalize(secret) : newSecret.get(),
                maxEndpointsPerApp);
        listener.onEndpointEvent("endpoint.created", created);
        return created;
    }

    /**
     * AutoConfig's subscribe for an HTTP endpoint: makes the endpoint {@code id} from EndpointIn, signing with
     * {@code secret} (the one its token carries; a {@code secret} in the body is ignored), or replaces it as a PUT does.
     */
    public Endpoint subscribe(Application app, String id, String secret, Body body) {
        var existing = endpoints.find(app.id(), id).filter(e -> e.id().equals(id));
        if (existing.isEmpty()) {
            // made again under its deleted predecessor's id, its rows would be purged with the predecessor's
            if (endpoints.removalPending(id)) throw ApiException.sinkBeingRemoved();
            try {
                var created = endpoints.insert(readWhole(body, app, id, null), secret, maxEndpointsPerApp);
                listener.onEndpointEvent("endpoint.created", created);
                return created;
            } catch (ConflictException e) {
                // a subscribe racing this one made the endpoint first (or the body's uid is another endpoint's)
                existing = endpoints.find(app.id(), id).filter(found -> found.id().equals(id));
                if (existing.isEmpty()) throw e;
            }
        }
        var updated = written(endpoints.update(readWhole(body, app, id, existing.get()), null, body.has("transformation")));
        listener.updated(existing.get(), updated);
        return updated;
    }

    void list(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(Lists.response(endpoints.list(app.id(), Lists.request(ctx, true, Ids.ENDPOINT)), out));
    }

    void get(Context ctx) {
        ctx.json(out.apply(find(ctx, apps.resolve(ctx))));
    }

    /**
     * PUT makes the endpoint when the path names a uid no endpoint has (as Svix does), and replaces it otherwise. A
     * PUT to a uid keeps that uid when the body names none (a replacement that cleared it made the next PUT to the same
     * path a second endpoint). Of PUTs racing to make one uid, one makes it and the others replace it.
     */
    void put(Context ctx) {
        var app = apps.resolve(ctx);
        var body = Body.of(ctx);
        String key = ctx.pathParam("endpoint_id");
        var existing = endpoints.find(app.id(), key);
        if (existing.isEmpty()) {
            if (!ApplicationRoutes.namesUid(key, Ids.ENDPOINT)) throw ApiException.notFound("Endpoint");
            // as svix-server's upsert: the endpoint made signs with the body's secret when it gives one (a migration
            // that PUTs its endpoints keeps their receivers' secrets)
            String secret = EndpointInput.secret(body, "secret");
            var endpoint = readWhole(body, app, Ids.next(Ids.ENDPOINT), null);
            if (endpoint.uid() == null) endpoint = withUid(endpoint, key);
            try {
                var created = endpoints.insert(endpoint, secret != null ? WebhookSecrets.normalize(secret) : newSecret.get(),
                        maxEndpointsPerApp);
                listener.onEndpointEvent("endpoint.created", created);
                ctx.status(201).json(out.apply(created));
                return;
            } catch (ConflictException e) {
                existing = endpoints.find(app.id(), key);
                if (existing.isEmpty()) throw e; // the uid in the body is another endpoint's
            }
        }
        var current = existing.get();
        // checked as svix-server's EndpointIn checks it, though a replacement keeps the endpoint's secret (rotation changes it)
        EndpointInput.secret(body, "secret");
        var replacement = readWhole(body, app, current.id(), current);
        if (replacement.uid() == null && key.equals(current.uid())) replacement = withUid(replacement, key);
        var updated = written(endpoints.update(replacement, null, body.has("transformation")));
        listener.updated(current, updated);
        ctx.json(out.apply(updated));
    }

    /**
     * A {@code transformation} given on the endpoint (a new one, or null) replaces one switched off too (kept apart, see
     * TransformationRoutes): null clears, as {@code code: null} does; kept, switching transformations on again brought
     * the one removed back. Not so through {@link #patch(Application, Endpoint, Body)} alone: switching one off goes
     * through it.
     */
    private static Endpoint written(Optional<Endpoint> updated) {
        return updated.orElseThrow(() -> new dev.herald.domain.NotFoundException("endpoint"));
    }

    private static Endpoint withUid(Endpoint e, String uid) {
        return new Endpoint(e.id(), e.appId(), uid, e.url(), e.description(), e.disabled(), e.filterTypes(), e.channels(),
                e.headers(), e.rateLimit(), e.throttleRate(), e.metadata(), e.version(), e.createdAt(), e.updatedAt(),
                e.filterJson(), e.transformationJson(), e.ordering(), e.sealedHeaders());
    }

    void patch(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(out.apply(patch(app, find(ctx, app), Body.of(ctx), true)));
    }

    /**
     * EndpointPatch: the fields given replace the endpoint's (the API's PATCH and the app portal's buttons). Written only
     * over the row it was worked out from: changed meanwhile (disabled by the recorder, another PATCH), it is read again
     * and the fields given applied to it, so that no change made meanwhile is undone.
     */
    public Endpoint patch(Application app, Endpoint current, Body body) {
        return patch(app, current, body, false);
    }

    /** {@code api}: the API's own PATCH, whose {@code transformation} replaces a switched-off one too ({@link #written}). */
    private Endpoint patch(Application app, Endpoint current, Body body, boolean api) {
        for (int attempt = 1; ; attempt++) {
            var written = patchOnce(app, current, body, api);
            if (written != null) return written;
            if (attempt >= WRITES_TRIED) throw new ConflictException("conflict", "The endpoint kept changing; try again");
            current = endpoints.find(app.id(), current.id()).orElseThrow(() -> ApiException.notFound("Endpoint"));
        }
    }

    /** EndpointPatch's fields that svix-server takes as absent or a value, never null (its UnrequiredField). */
    private static final List<String> NOT_NULLABLE_IN_PATCH = List.of("description", "disabled", "metadata", "version"); // url: required

    /** How often a partial change is worked out again over a row that changed meanwhile. */
    private static final int WRITES_TRIED = 5;

    /** The patch written over {@code current}, or null when the row is no longer {@code current}. */
    private Endpoint patchOnce(Application app, Endpoint current, Body body, boolean api) {
        for (String field : NOT_NULLABLE_IN_PATCH) body.refuseNull(field);
        String url = body.has("url") ? EndpointInput.url(body, "url", true, urlPolicy) : current.url();
        String description = body.has("description") ? body.displayable("description", body.string("description", 0, 10_000)) : current.description();
        String uid = body.has("uid") ? body.uid("uid", Ids.ENDPOINT) : current.uid();
        boolean disabled = body.has("disabled") ? Boolean.TRUE.equals(body.bool("disabled")) : current.disabled();
        Set<String> filterTypes = body.has("filterTypes") || body.has("eventTypes") ? filterTypes(body) : current.filterTypes();
        Set<String> channels = body.has("channels") ? channels(body) : current.channels();
        Map<String, String> headers = body.has("headers") ? EndpointInput.headers(body, "headers") : current.headers();
        Long rateLimit = body.has("rateLimit") ? body.positiveU16("rateLimit") : current.rateLimit();
        Long throttleRate = body.has("throttleRate") ? body.positiveU16("throttleRate") : current.throttleRate();
        Map<String, String> metadata = body.has("metadata") ? body.metadata("metadata") : current.metadata();
        Long version = body.has("version") ? body.positiveU16("version") : Long.valueOf(current.version());
        String secret = body.has("secret") ? EndpointInput.secret(body, "secret") : null;
        String filter = body.has("filter") ? RoutingInput.filter(body) : current.filterJson();
        String transformation = body.has("transformation") ? RoutingInput.transformation(body, urlPolicy)
                : current.transformationJson();
        String ordering = body.has("ordering") ? ordering(body) : current.ordering();
        body.validate();
        if (secret != null) requireRotationRoom(current, DEFAULT_GRACE);
        var written = endpoints.update(new Endpoint(current.id(), app.id(), uid, url,
                description == null ? "" : description, disabled, filterTypes, channels,
                headers == null ? Map.of() : headers, rateLimit, throttleRate, metadata == null ? Map.of() : metadata,
                version == null ? current.version() : version.intValue(), current.createdAt(), clock.instant(),
                filter, transformation, ordering, body.has("headers") ? null : current.sealedHeaders()), current.updatedAt(),
                api && body.has("transformation"));
        if (written.isEmpty()) return null;
        var updated = written.get();
        if (secret != null) rotateSecret(current, secret, DEFAULT_GRACE);
        listener.updated(current, updated);
        return updated;
    }

    void delete(Context ctx) {
        var app = apps.resolve(ctx);
        delete(app, find(ctx, app));
        ctx.status(204);
    }

    /** Deletes it, once: of two deletes at once, the one that finds it gone is a 404 and raises no second event. */
    public void delete(Application app, Endpoint endpoint) {
        if (!endpoints.delete(app.id(), endpoint.id())) throw ApiException.notFound("Endpoint");
        listener.onEndpointEvent("endpoint.deleted", endpoint);
    }

    void getSecret(Context ctx) {
        ctx.json(new SecretOut(secret(find(ctx, apps.resolve(ctx)))));
    }

    /** The endpoint's current signing secret ({@code whsec_…}), or the public key of its Ed25519 key ({@code whpk_…}). */
    public String secret(Endpoint endpoint) {
        return WebhookSecrets.shown(endpoints.currentSecret(endpoint.id()));
    }

    /** A new generated secret; the old one keeps signing beside it for {@link #DEFAULT_GRACE} (Svix's default). */
    public void rotateSecret(Endpoint endpoint) {
        rotateSecret(endpoint, null, DEFAULT_GRACE);
    }

    /**
     * A 400 {@code limit_reached} when a rotation with {@code grace} would leave more than {@link #MAX_RETIRED_SECRETS}
     * retired secrets signing. Checked before anything changes; a rotation without grace retires nothing that signs.
     */
    public void requireRotationRoom(Endpoint endpoint, Duration grace) {
        if (grace.isZero() || grace.isNegative()) return;
        if (endpoints.retiredSecretsSigning(endpoint.id(), clock.instant()) >= MAX_RETIRED_SECRETS) throw rotationLimit();
    }

    private static ApiException rotationLimit() {
        return new ApiException(400, "limit_reached", "An endpoint's secret can be rotated " + MAX_RETIRED_SECRETS
                + " times while the old secrets still sign (" + DEFAULT_GRACE.toHours() + " hours unless a gracePeriodSeconds"
                + " said otherwise); rotate with gracePeriodSeconds: 0 to retire the current secret at once");
    }

    /**
     * {@code key} (null: a generated one) signs from now on, the old secret beside it for {@code grace}. The limit on
     * retired secrets is checked as the rotation is written, in its turn, so rotations at once cannot pass it together;
     * a caller that writes something else first checks beforehand too ({@link #requireRotationRoom}).
     */
    public void rotateSecret(Endpoint endpoint, String key, Duration grace) {
        Instant now = clock.instant();
        if (!endpoints.rotateSecret(endpoint.id(), key != null ? WebhookSecrets.normalize(key) : newSecret.get(),
                now, now.plus(grace), MAX_RETIRED_SECRETS)) {
            throw rotationLimit();
        }
    }

    void rotateSecret(Context ctx) {
        var endpoint = find(ctx, apps.resolve(ctx));
        byte[] raw = ctx.bodyAsBytes();
        String key = null;
        Duration grace = DEFAULT_GRACE;
        if (raw.length > 0) {
            var body = Body.of(raw);
            key = EndpointInput.secret(body, "key");
            Long seconds = body.longValue("gracePeriodSeconds", 0, Duration.ofDays(30).toSeconds());
            body.validate();
            if (seconds != null) grace = Duration.ofSeconds(seconds);
        }
        rotateSecret(endpoint, key, grace);
        ctx.status(204);
    }

    void getHeaders(Context ctx) {
        var endpoint = find(ctx, apps.resolve(ctx));
        ctx.json(HeadersOut.of(endpoints.headersOf(endpoint)));
    }

    void putHeaders(Context ctx) {
        var app = apps.resolve(ctx);
        var endpoint = find(ctx, app);
        var body = Body.of(ctx);
        Map<String, String> headers = EndpointInput.headers(body, "headers");
        if (body.raw("headers") == null) body.fail("headers", "field required", "value_error.missing");
        body.validate();
        // the headers replaced, every other column as it is when written (the row read may have changed since: a
        // disable by the recorder would be undone)
        for (int attempt = 1; !saveHeaders(endpoint, headers == null ? Map.of() : headers, endpoint.updatedAt()); attempt++) {
            if (attempt >= WRITES_TRIED) throw new ConflictException("conflict", "The endpoint kept changing; try again");
            endpoint = endpoints.find(endpoint.appId(), endpoint.id()).orElseThrow(() -> ApiException.notFound("Endpoint"));
        }
        ctx.status(204);
    }

    /** Merges: a header set to null, or named in {@code deleteHeaders}, is removed. */
    void patchHeaders(Context ctx) {
        var app = apps.resolve(ctx);
        patchHeaders(find(ctx, app), Body.of(ctx));
        ctx.status(204);
    }

    /**
     * Svix's EndpointHeadersPatchIn: {@code headers} set (null removes one), {@code deleteHeaders} removed. Merged into
     * the headers as they are when written (another PATCH's meanwhile kept), as {@link #patch} is.
     */
    public void patchHeaders(Endpoint endpoint, Body body) {
        for (int attempt = 1; !patchHeadersOnce(endpoint, body); attempt++) {
            if (attempt >= WRITES_TRIED) throw new ConflictException("conflict", "The endpoint kept changing; try again");
            endpoint = endpoints.find(endpoint.appId(), endpoint.id()).orElseThrow(() -> ApiException.notFound("Endpoint"));
        }
    }

    private boolean patchHeadersOnce(Endpoint endpoint, Body body) {
        var merged = new LinkedHashMap<>(endpoints.headersOf(endpoint));
        var raw = body.object("headers");
        if (raw != null) {
            for (var entry : raw.properties()) {
                // header names are case-insensitive: x-token replaces (or removes) X-Token, it does not sit beside it
                if (entry.getValue().isNull()) {
                    removeIgnoringCase(merged, entry.getKey());
                } else if (!entry.getValue().isTextual()) {
                    body.fail("headers", "values must be strings (" + entry.getKey() + ")", "type_error.str");
                } else {
                    var problem = EndpointInput.headerProblem(entry.getKey(), entry.getValue().textValue());
                    if (problem.isPresent()) {
                        body.fail("headers", problem.get(), "value_error");
                    } else {
                        removeIgnoringCase(merged, entry.getKey());
                        merged.put(entry.getKey(), entry.getValue().textValue());
                    }
                }
            }
        }
        Set<String> deletes = body.stringSet("deleteHeaders", 100, null, 256);
        body.validate();
        if (deletes != null) deletes.forEach(name -> removeIgnoringCase(merged, name));
        if (merged.size() > 50) throw ValidationException.of("headers", "at most 50 headers are allowed", "value_error");
        return saveHeaders(endpoint, merged, endpoint.updatedAt());
    }

    private static void removeIgnoringCase(Map<String, String> headers, String name) {
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
    }

    /** Writes the endpoint with these headers; false when {@code readAt} is given and the row changed since. */
    private boolean saveHeaders(Endpoint e, Map<String, String> headers, Instant readAt) {
        return endpoints.update(new Endpoint(e.id(), e.appId(), e.uid(), e.url(), e.description(), e.disabled(), e.filterTypes(),
                e.channels(), headers, e.rateLimit(), e.throttleRate(), e.metadata(), e.version(), e.createdAt(),
                clock.instant(), e.filterJson(), e.transformationJson(), e.ordering(), null), readAt).isPresent();
    }

    public Endpoint find(Context ctx, Application app) {
        return endpoints.find(app.id(), ctx.pathParam("endpoint_id")).orElseThrow(() -> ApiException.notFound("Endpoint"));
    }
}
