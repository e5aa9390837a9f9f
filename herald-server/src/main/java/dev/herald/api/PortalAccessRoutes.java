package dev.herald.api;

import dev.herald.domain.Ids;
import dev.herald.security.Tokens;
import dev.herald.store.TokenStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * {@code POST /api/v1/auth/app-portal-access/{app_id}} (admin only): a token scoped to one application,
 * for that application's owner (a customer portal). It reaches only its own application's endpoints,
 * messages and attempts; anything else answers 404, as if it did not exist.
 */
public final class PortalAccessRoutes {
    static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);
    static final Duration MAX_EXPIRY = Duration.ofDays(365);

    private final AppResolver apps;
    private final TokenStore tokens;
    private final Clock clock;

    public PortalAccessRoutes(AppResolver apps, TokenStore tokens, Clock clock) {
        this.apps = apps;
        this.tokens = tokens;
        this.clock = clock;
    }

    public record AppPortalAccessOut(String url, String token) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/auth/app-portal-access/{app_id}", this::create);
    }

    void create(Context ctx) {
        Auth.requireAdmin(ctx);
        var app = apps.resolve(ctx);
        Duration expiry = DEFAULT_EXPIRY;
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length > 0) {
            var body = Body.of(raw);
            Long seconds = body.longValue("expiry", 1, MAX_EXPIRY.toSeconds());
            body.validate();
            if (seconds != null) expiry = Duration.ofSeconds(seconds);
        }
        String token = Tokens.generate("appsk_");
        Instant now = clock.instant();
        tokens.insert(Ids.next(Ids.TOKEN), Tokens.hash(token), app.id(), now, now.plus(expiry));
        String base = ctx.scheme() + "://" + ctx.host();
        ctx.json(new AppPortalAccessOut(base + "/portal/" + app.id() + "#token=" + token, token));
    }
}
