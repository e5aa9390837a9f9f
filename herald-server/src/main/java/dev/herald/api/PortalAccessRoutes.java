package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.domain.Capability;
import dev.herald.domain.Ids;
import dev.herald.security.Tokens;
import dev.herald.store.TokenStore;
import dev.herald.store.TokenStore.Grant;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/auth/app-portal-access/{app_id}} (admin only): a token scoped to one application,
 * for that application's owner (a customer portal). It reaches only its own application's endpoints,
 * messages and attempts; anything else answers 404, as if it did not exist. Such tokens end by logout or, all of an
 * application's at once, by expire-all (integration keys excepted: see {@link IntegrationRoutes}).
 */
public final class PortalAccessRoutes {
    static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);
    static final Duration MAX_EXPIRY = Duration.ofDays(365);
    static final Pattern FLAG = Pattern.compile("^[a-zA-Z0-9\\-_.]+$");
    static final int MAX_FEATURE_FLAGS = 100;
    private static final int MAX_SESSION_IDS = 1000;
    private static final int MAX_SESSION_ID_LENGTH = 256;

    private final AppResolver apps;
    private final ApplicationRoutes applications;
    private final TokenStore tokens;
    private final Auth auth;
    private final Clock clock;
    private final PublicUrl publicUrl;

    public PortalAccessRoutes(AppResolver apps, ApplicationRoutes applications, TokenStore tokens, Auth auth, Clock clock,
                              PublicUrl publicUrl) {
        this.apps = apps;
        this.applications = applications;
        this.tokens = tokens;
        this.auth = auth;
        this.clock = clock;
        this.publicUrl = publicUrl;
    }

    public record AppPortalAccessOut(String url, String token) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/auth/app-portal-access/{app_id}", this::create);
        // Svix's older name for the same (deprecated there, still in every SDK as dashboardAccess)
        routes.post("/api/v1/auth/dashboard-access/{app_id}", this::create);
        routes.post("/api/v1/auth/app/{app_id}/expire-all", this::expireAll);
        routes.post("/api/v1/auth/logout", this::logout);
    }

    /**
     * Svix's expire-all (admin, 204): every token of the application stops working after {@code expiry} seconds
     * (default 0: now); with {@code sessionIds}, only the tokens made with one of those sessions. Refused here at once;
     * on other nodes within Auth's cache period (30 seconds).
     */
    void expireAll(Context ctx) {
        Auth.requireAdmin(ctx);
        var app = apps.resolve(ctx);
        long seconds = 0;
        Set<String> sessions = null;
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > 0) {
            var body = Body.of(raw);
            Long expiry = body.longValue("expiry", 0, MAX_EXPIRY.toSeconds());
            sessions = body.stringSet("sessionIds", MAX_SESSION_IDS, null, MAX_SESSION_ID_LENGTH);
            body.validate();
            if (expiry != null) seconds = expiry;
            if (sessions != null && sessions.isEmpty()) sessions = null; // Svix: an empty list is no list
        }
        Instant at = clock.instant().plusSeconds(seconds);
        tokens.expireAppTokens(app.id(), at, sessions);
        auth.forget(owner -> app.id().equals(owner.appId())); // looked up again, with the new expiry
        ctx.status(204);
    }

    /** Svix's logout (204): the application token that calls it stops working now. An admin token cannot log out. */
    void logout(Context ctx) {
        logout(Auth.principal(ctx));
        ctx.status(204);
    }

    /** Why {@link #logout} cannot end the token, or null when it can (an application's own token). */
    public String cannotEnd(dev.herald.store.TokenStore.TokenOwner owner) {
        if (owner.admin()) return "Only an application token can log out";
        // answering 204 would tell the client its token ended while it goes on working until its exp
        if (Auth.isSvixJwt(owner)) return "A svix-server token cannot be logged out: it ends at its exp";
        if (tokens.isIntegrationKey(owner.tokenId())) return "An integration's key ends by rotating it or deleting the integration";
        return null;
    }

    /** Ends an application token now (the API's logout and the app portal's sign-out). */
    public void logout(dev.herald.store.TokenStore.TokenOwner owner) {
        String refusal = cannotEnd(owner);
        if (refusal != null) throw new ApiException(403, "insufficient access", refusal);
        end(owner);
    }

    /** Ends a token {@link #cannotEnd} allows. */
    public void end(dev.herald.store.TokenStore.TokenOwner owner) {
        tokens.expire(owner.tokenId(), clock.instant());
        auth.forget(cached -> owner.tokenId().equals(cached.tokenId()));
    }

    /**
     * The scheme the caller used: behind a proxy that ends TLS the request arrives as plain HTTP, and the proxy says
     * what the browser used ({@code X-Forwarded-Proto}).
     */
    /** Where customers reach this server ({@link PublicUrl}). */
    public String baseUrl(Context ctx) {
        return publicUrl.of(ctx);
    }

    public static String publicScheme(Context ctx) {
        String forwarded = ctx.header("X-Forwarded-Proto");
        if (forwarded != null && (forwarded.equalsIgnoreCase("https") || forwarded.equalsIgnoreCase("http"))) {
            return forwarded.toLowerCase(java.util.Locale.ROOT);
        }
        return ctx.scheme();
    }

    /**
     * Svix's AppPortalAccessIn: {@code expiry}; {@code capabilities} (every one when left out; the list must hold
     * ViewBase) and the older {@code readOnly} (ViewBase alone, whatever the list says); {@code featureFlags} (the
     * flagged event types the token sees); {@code sessionId} (for expire-all); {@code application} to create a missing one.
     */
    void create(Context ctx) {
        Auth.requireAdmin(ctx);
        Duration expiry = DEFAULT_EXPIRY;
        Grant grant = Grant.FULL;
        Application created = null;
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > 0) {
            var body = Body.of(raw);
            Long seconds = body.longValue("expiry", 1, MAX_EXPIRY.toSeconds());
            Boolean readOnly = body.bool("readOnly");
            Set<Capability> capabilities = capabilities(body);
            Set<String> flags = body.stringSet("featureFlags", MAX_FEATURE_FLAGS, FLAG, 256);
            String sessionId = body.string("sessionId", 1, MAX_SESSION_ID_LENGTH);
            body.validate();
            if (seconds != null) expiry = Duration.ofSeconds(seconds);
            if (Boolean.TRUE.equals(readOnly)) capabilities = EnumSet.of(Capability.VIEW_BASE);
            grant = new Grant(capabilities, flags == null ? Set.of() : flags, sessionId);
            created = applications.createIfMissing(ctx, body);
        }
        ctx.json(open(ctx, created != null ? created : apps.resolve(ctx), expiry, grant));
    }

    /** {@code capabilities}: null when left out (every capability); otherwise known names, ViewBase among them. */
    private static Set<Capability> capabilities(Body body) {
        Set<String> names = body.stringSet("capabilities", Capability.values().length, null, 64);
        if (names == null) return null;
        var set = EnumSet.noneOf(Capability.class);
        for (String name : names) {
            var capability = Capability.byWireName(name);
            if (capability.isEmpty()) {
                body.fail("capabilities", "unknown capability '" + name + "': the capabilities are "
                        + String.join(", ", Arrays.stream(Capability.values()).map(c -> c.wireName).toList()), "value_error");
                return null;
            }
            set.add(capability.get());
        }
        if (!set.contains(Capability.VIEW_BASE)) {
            body.fail("capabilities", "the ViewBase capability is always required", "value_error");
            return null;
        }
        return set;
    }

    /**
     * A new token for the application's portal, and the link (on the host the request came to) that opens it. The
     * token, in the portal and on the API, may do what {@code grant} allows.
     */
    public AppPortalAccessOut open(Context ctx, Application app, Duration expiry, Grant grant) {
        String token = Tokens.generate("appsk_");
        Instant now = clock.instant();
        tokens.insert(Ids.next(Ids.TOKEN), Tokens.hash(token), app.id(), now, now.plus(expiry), grant);
        return new AppPortalAccessOut(baseUrl(ctx) + "/portal/" + app.id() + "#token=" + token, token);
    }
}
