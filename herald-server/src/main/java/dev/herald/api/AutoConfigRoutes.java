package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.EndpointRoutes.EndpointOut;
import dev.herald.domain.Application;
import dev.herald.domain.AutoConfig;
import dev.herald.domain.Ids;
import dev.herald.domain.Poller;
import dev.herald.security.Tokens;
import dev.herald.security.WebhookSecrets;
import dev.herald.store.AutoConfigStore;
import dev.herald.store.EndpointStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Svix's Webhooks AutoConfig. {@code POST /api/v1/app/{app}/autoconfig} answers a token ({@code auto_v1_…}) that the
 * application's owner hands to their customer. The official SDKs' {@code AutoConfig} and {@code AutoConfigConsumer}
 * read it: {@code subscribe()} makes or updates the endpoint the token names, an HTTP endpoint or a polling endpoint,
 * through {@code PUT …/endpoint/{id}/auto-config}; {@code verify()} checks what arrives with the secret it carries;
 * {@code receive()} and {@code commit()} read a polling endpoint through the leased poller routes.
 */
public final class AutoConfigRoutes {
    private static final String BASE = "/api/v1/app/{app_id}/autoconfig";
    static final String SUBSCRIBE = "/api/v1/app/{app_id}/endpoint/{endpoint_id}/auto-config";
    private static final String ONE = BASE + "/{autoconfig_id}";
    // Svix 2.x's subscribe routes, named by the subscription: what the 2.x SDKs call with a v2 token (Herald gives v1
    // tokens, which both SDK generations read) and what the application's owner may call for the customer
    private static final String SUBSCRIBE_ENDPOINT = ONE + "/endpoint";
    private static final String SUBSCRIBE_DESTINATION = ONE + "/destination";
    static final String TOKEN_PREFIX = "auto_v1_";
    static final String KEY_PREFIX = "acsk_";

    /** Svix's AutoConfigOut, with the endpoint id the token names. The token is shown here only. */
    public record AutoConfigOut(String id, String token, String endpointId, Instant createdAt) {}

    /**
     * Svix's AutoConfigSubscriptionOut ({@code status} pending until the first subscribe, then active; {@code endpId}
     * or {@code destId} once an HTTP or a polling endpoint was made), with Herald's {@code endpointId} (the id the token
     * names) and {@code kind}. The token is not shown again: Herald keeps only its key's hash.
     */
    public record SubscriptionOut(String id, String status, String endpId, String destId, String endpointId, String kind,
                                  Instant createdAt, Instant updatedAt) {
        static SubscriptionOut of(AutoConfig c) {
            return new SubscriptionOut(c.id(), c.kind() == null ? "pending" : "active",
                    AutoConfig.HTTP.equals(c.kind()) ? c.sinkId() : null, AutoConfig.POLLER.equals(c.kind()) ? c.sinkId() : null,
                    c.sinkId(), c.kind(), c.createdAt(), c.updatedAt());
        }
    }

    private final AppResolver apps;
    private final AutoConfigStore configs;
    private final EndpointRoutes endpointRoutes;
    private final EndpointStore endpoints;
    private final PollerRoutes pollerRoutes;
    private final Auth auth;
    private final Clock clock;
    private final int maxPerApp;
    private final PublicUrl publicUrl;

    /** {@code maxPerApp}: the most subscriptions an application may have (HERALD_MAX_ENDPOINTS_PER_APP: one endpoint each). */
    public AutoConfigRoutes(AppResolver apps, AutoConfigStore configs, EndpointRoutes endpointRoutes, EndpointStore endpoints,
                            PollerRoutes pollerRoutes, Auth auth, Clock clock, int maxPerApp, PublicUrl publicUrl) {
        this.apps = apps;
        this.configs = configs;
        this.endpointRoutes = endpointRoutes;
        this.endpoints = endpoints;
        this.pollerRoutes = pollerRoutes;
        this.auth = auth;
        this.clock = clock;
        this.maxPerApp = maxPerApp;
        this.publicUrl = publicUrl;
    }

    public void register(RoutesConfig routes) {
        routes.post(BASE, this::create);
        routes.get(BASE, this::list);
        routes.get(ONE, ctx -> ctx.json(SubscriptionOut.of(find(ctx, apps.resolve(ctx)))));
        routes.delete(ONE, this::delete);
        routes.post(ONE + "/rotate", this::rotate);
        routes.put(SUBSCRIBE, this::subscribe);
        routes.put(SUBSCRIBE_ENDPOINT, this::subscribeEndpoint);
        routes.put(SUBSCRIBE_DESTINATION, this::subscribeDestination);
    }

    /** The routes an AutoConfig key reaches besides the poller routes: its subscription's, read and subscribe. */
    static boolean reachableByKey(HandlerType method, String routePath) {
        return method == HandlerType.PUT && (SUBSCRIBE.equals(routePath) || SUBSCRIBE_ENDPOINT.equals(routePath)
                || SUBSCRIBE_DESTINATION.equals(routePath))
                || (method == HandlerType.GET || method == HandlerType.HEAD) && ONE.equals(routePath);
    }

    /** Svix's CreateAutoConfigSubscriptionIn: {@code featureFlags}, or the calling token's own when left out. */
    void create(Context ctx) {
        var app = apps.resolve(ctx);
        Set<String> flags = featureFlags(ctx);
        ctx.status(201).json(create(ctx, app, flags));
    }

    /** A new subscription for {@code app}, and its token, naming this server as the request reached it. */
    public AutoConfigOut create(Context ctx, Application app, Set<String> featureFlags) {
        Instant now = clock.instant();
        String secret = WebhookSecrets.generate();
        String key = Tokens.generate(KEY_PREFIX);
        var config = configs.insert(new AutoConfig(Ids.next(Ids.AUTOCONFIG), app.id(), Ids.next(Ids.ENDPOINT), null, now, now),
                secret, new AutoConfigStore.Key(Ids.next(Ids.TOKEN), Tokens.hash(key), featureFlags), maxPerApp);
        return new AutoConfigOut(config.id(), token(ctx, config, secret, key), config.sinkId(), config.createdAt());
    }

    /** An application token may give only flags it bears itself; left out, the new key bears the caller's. */
    private static Set<String> featureFlags(Context ctx) {
        var owner = Auth.principal(ctx);
        byte[] raw = ctx.bodyAsBytes();
        Set<String> asked = null;
        if (raw.length > 0) {
            var body = Body.of(raw);
            asked = body.stringSet("featureFlags", PortalAccessRoutes.MAX_FEATURE_FLAGS, PortalAccessRoutes.FLAG, 256);
            // null flags: a token that sees every type (and so may give any flag)
            if (asked != null && !owner.admin() && owner.featureFlags() != null && !owner.featureFlags().containsAll(asked)) {
                body.fail("featureFlags", "an application token may only give feature flags it bears itself", "value_error");
            }
            body.validate();
        }
        return asked == null || asked.isEmpty() ? (owner.admin() ? null : owner.featureFlags()) : asked;
    }

    void list(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(Lists.response(configs.list(app.id(), Lists.request(ctx, false, Ids.AUTOCONFIG)), SubscriptionOut::of));
    }

    void delete(Context ctx) {
        var app = apps.resolve(ctx);
        delete(app, find(ctx, app));
        ctx.status(204);
    }

    /** Ends the subscription's token; the endpoint it made stays, as any endpoint of the application. */
    public void delete(Application app, AutoConfig config) {
        configs.delete(app.id(), config.id())
                .ifPresent(tokenId -> auth.forget(owner -> tokenId.equals(owner.tokenId())));
    }

    /**
     * A new token with a new secret; the old token ends now (here at once, on other nodes within Auth's cache period).
     * An HTTP endpoint already made signs with the new secret from now on, and with the old one beside it for a day,
     * as a rotation through the endpoint's own route does.
     */
    /** Svix's RotateSubscriptionIn: optionally {@code signingSecret: {key}}, the new secret (2.x SDKs send it). */
    void rotate(Context ctx) {
        var app = apps.resolve(ctx);
        var config = find(ctx, app);
        String key = null;
        if (ctx.bodyAsBytes().length > 0) {
            var body = Body.of(ctx);
            JsonNode signing = body.object("signingSecret");
            body.validate();
            if (signing != null) {
                var nested = Body.nested((ObjectNode) signing, List.of("body", "signingSecret"));
                key = EndpointInput.secret(nested, "key");
                if (dev.herald.client.webhook.Ed25519Keys.isSigningKey(key)) {
                    // the SDKs' AutoConfig.verify() checks v1 HMAC signatures with the secret the token carries
                    nested.fail("key", "an AutoConfig token carries an HMAC secret (whsec_…)", "value_error");
                }
                nested.validate();
            }
        }
        ctx.json(rotate(ctx, app, config, key == null ? WebhookSecrets.generate() : WebhookSecrets.normalize(key)));
    }

    /** A new key, and a generated signing secret. */
    public AutoConfigOut rotate(Context ctx, Application app, AutoConfig config) {
        return rotate(ctx, app, config, WebhookSecrets.generate());
    }

    private AutoConfigOut rotate(Context ctx, Application app, AutoConfig config, String secret) {
        if (AutoConfig.HTTP.equals(config.kind())) {
            // refused before the token changes: its secret must be the one the endpoint signs with
            endpoints.find(app.id(), config.sinkId()).filter(e -> e.id().equals(config.sinkId()))
                    .ifPresent(e -> endpointRoutes.requireRotationRoom(e, EndpointRoutes.DEFAULT_GRACE));
        }
        String key = Tokens.generate(KEY_PREFIX);
        var old = configs.rotate(config, secret, Ids.next(Ids.TOKEN), Tokens.hash(key), clock.instant())
                .orElseThrow(AutoConfigRoutes::notFound);
        auth.forget(o -> old.equals(o.tokenId()));
        if (AutoConfig.HTTP.equals(config.kind())) {
            endpoints.find(app.id(), config.sinkId()).filter(e -> e.id().equals(config.sinkId()))
                    .ifPresent(e -> endpointRoutes.rotateSecret(e, secret, EndpointRoutes.DEFAULT_GRACE));
        }
        return new AutoConfigOut(config.id(), token(ctx, config, secret, key), config.sinkId(), clock.instant());
    }

    /**
     * Svix's SubscribeIn: {@code {endpoint: EndpointIn}} (the SDK's AutoConfig), or {@code {sink: {type, config}}} with
     * type "http" (EndpointIn) or "poller" (SinkInCommon). Makes the endpoint the token names, or replaces its settings.
     * A subscription stays the kind it first became.
     */
    void subscribe(Context ctx) {
        var app = apps.resolve(ctx);
        String sinkId = ctx.pathParam("endpoint_id");
        String bound = Auth.principal(ctx).boundSink();
        if (bound != null && !bound.equals(sinkId)) throw notFound();
        var config = configs.findBySink(app.id(), sinkId).orElseThrow(AutoConfigRoutes::notFound);
        var in = Subscription.read(Body.of(ctx));
        if (in.kind().equals(AutoConfig.HTTP)) {
            ctx.json(EndpointOut.of(subscribeHttp(app, config, in.settings())));
        } else {
            ctx.json(pollerOut(ctx, subscribePoller(app, config, in.settings())));
        }
    }

    /**
     * The subscription's HTTP endpoint made or brought up to date by the application's owner rather than the token's
     * holder (Svix 2.x's {@code autoconfigSubscription.endpoint.subscribe}): EndpointIn, as the endpoint routes take it.
     */
    void subscribeEndpoint(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(EndpointOut.of(subscribeHttp(app, find(ctx, app), Body.of(ctx))));
    }

    /** The same for a polling endpoint: DestinationIn of type pollingEndpoint, as the destination routes take it. */
    void subscribeDestination(Context ctx) {
        var app = apps.resolve(ctx);
        var config = find(ctx, app);
        var body = Body.of(ctx);
        DestinationRoutes.checkPolling(body, true);
        ctx.json(DestinationRoutes.DestinationOut.of(subscribePoller(app, config, body)));
    }

    private dev.herald.domain.Endpoint subscribeHttp(Application app, AutoConfig config, Body settings) {
        if (AutoConfig.POLLER.equals(config.kind())) throw otherKind(AutoConfig.HTTP);
        var endpoint = endpointRoutes.subscribe(app, config.sinkId(), configs.secret(config), settings);
        if (!configs.bind(config, AutoConfig.HTTP, clock.instant())) throw otherKind(AutoConfig.HTTP);
        return endpoint;
    }

    private Poller subscribePoller(Application app, AutoConfig config, Body settings) {
        if (AutoConfig.HTTP.equals(config.kind())) throw otherKind(AutoConfig.POLLER);
        var poller = pollerRoutes.subscribe(app, config.sinkId(), settings);
        if (!configs.bind(config, AutoConfig.POLLER, clock.instant())) throw otherKind(AutoConfig.POLLER);
        return poller;
    }

    /** What a subscribe asks for: the kind of endpoint, and its settings. */
    private record Subscription(String kind, Body settings) {
        static Subscription read(Body body) {
            if (body.raw("endpoint") instanceof ObjectNode endpoint) {
                return new Subscription(AutoConfig.HTTP, Body.nested(endpoint, List.of("body", "endpoint")));
            }
            if (body.raw("sink") instanceof ObjectNode sink) {
                String type = sink.path("type").asText("");
                if (!(sink.get("config") instanceof ObjectNode config)) {
                    throw invalid(List.of("body", "sink", "config"), "field required", "value_error.missing");
                }
                var settings = Body.nested(config, List.of("body", "sink", "config"));
                return switch (type) {
                    case AutoConfig.HTTP -> new Subscription(AutoConfig.HTTP, settings);
                    case AutoConfig.POLLER -> new Subscription(AutoConfig.POLLER, settings);
                    default -> throw invalid(List.of("body", "sink", "type"), "type must be \"http\" or \"poller\"",
                            "value_error.const");
                };
            }
            throw invalid(List.of("body"), "an endpoint, or a sink, is required", "value_error.missing");
        }

        private static ValidationException invalid(List<String> loc, String msg, String type) {
            return new ValidationException(List.of(new ValidationException.Item(loc, msg, type)));
        }
    }

    /** A polling endpoint in the shape the SDKs read back from subscribe (EndpointOut), its url the one to poll. */
    private EndpointOut pollerOut(Context ctx, Poller p) {
        String url = publicUrl.of(ctx) + "/api/v1/app/" + p.appId() + "/poller/" + p.id();
        return new EndpointOut(p.id(), url, p.description(), p.uid(), 1, null, null, false, p.filterTypes(),
                p.channels(), Map.of(), p.createdAt(), p.updatedAt(), null, null, null);
    }

    /** The token the SDKs decode: {@code auto_v1_} and base64 of {aid, eid, surl, esec, tok}. */
    private String token(Context ctx, AutoConfig config, String secret, String key) {
        var content = new LinkedHashMap<String, String>();
        content.put("aid", config.appId());
        content.put("eid", config.sinkId());
        content.put("surl", publicUrl.of(ctx));
        content.put("esec", secret);
        content.put("tok", key);
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(content);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return TOKEN_PREFIX + Base64.getEncoder().encodeToString(json);
    }

    /** The path's subscription ({@code autoconfig_id}) within the application; for an AutoConfig key, its own only. */
    public AutoConfig find(Context ctx, Application app) {
        var config = configs.find(app.id(), ctx.pathParam("autoconfig_id")).orElseThrow(AutoConfigRoutes::notFound);
        String bound = Auth.principal(ctx).boundSink();
        if (bound != null && !bound.equals(config.sinkId())) throw notFound();
        return config;
    }

    /** The application's subscriptions, oldest first, at most {@code limit}. */
    public List<AutoConfig> list(Application app, int limit) {
        return configs.list(app.id(), new dev.herald.domain.PageRequest(limit, null, false)).data();
    }

    private static ApiException notFound() {
        return ApiException.notFound("AutoConfig subscription");
    }

    private static ApiException otherKind(String asked) {
        String made = AutoConfig.HTTP.equals(asked) ? "a polling endpoint" : "an HTTP endpoint";
        return new ApiException(409, "conflict", "This AutoConfig token made " + made + "; it cannot become the other kind");
    }
}
