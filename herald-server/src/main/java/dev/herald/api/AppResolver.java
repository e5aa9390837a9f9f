package dev.herald.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.herald.domain.Application;
import dev.herald.store.ApplicationStore;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * Turns the {@code {app_id}} path parameter (id or uid) into the application, enforcing the token's
 * scope: an application-scoped token sees another application as not found, never as forbidden.
 */
public final class AppResolver {
    /** Publishing looks its application up on every request; a second of staleness is harmless there. */
    static final Duration CACHE_FOR = Duration.ofSeconds(1);

    private final ApplicationStore apps;
    /** One lookup per application and second, however many requests find it expired at once. */
    private final Cache<String, Application> cache = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_FOR).maximumSize(10_000).build();

    public AppResolver(ApplicationStore apps) {
        this.apps = apps;
    }

    public Application resolve(Context ctx) {
        String key = ctx.pathParam("app_id");
        return scoped(ctx, apps.find(key).orElseThrow(() -> ApiException.notFound("Application")));
    }

    /**
     * As {@link #resolve}, from a one-second cache: for the publish path only, where an application
     * deleted meanwhile is caught by the database (its foreign key) and still answers 404.
     */
    public Application resolveCached(Context ctx) {
        String key = ctx.pathParam("app_id");
        Application app = cache.get(key, k -> apps.find(k).orElse(null)); // not found: not cached
        if (app == null) throw ApiException.notFound("Application");
        return scoped(ctx, app);
    }

    private static Application scoped(Context ctx, Application app) {
        var owner = Auth.principal(ctx);
        if (!owner.admin() && !owner.appId().equals(app.id())) throw ApiException.notFound("Application");
        return app;
    }
}
