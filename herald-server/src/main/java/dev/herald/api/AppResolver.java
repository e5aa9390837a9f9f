package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.store.ApplicationStore;
import io.javalin.http.Context;

/**
 * Turns the {@code {app_id}} path parameter (id or uid) into the application, enforcing the token's
 * scope: an application-scoped token sees another application as not found, never as forbidden.
 */
public final class AppResolver {
    /** Publishing looks its application up on every request; a second of staleness is harmless there. */
    static final long CACHE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final int CACHE_MAX = 10_000;

    private final ApplicationStore apps;
    private final java.util.concurrent.ConcurrentHashMap<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();

    private record Cached(Application app, long until) {}

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
        long now = System.nanoTime();
        Cached cached = cache.get(key);
        if (cached != null && cached.until() - now > 0) return scoped(ctx, cached.app());
        var app = apps.find(key).orElseThrow(() -> ApiException.notFound("Application"));
        if (cache.size() > CACHE_MAX) cache.clear();
        cache.put(key, new Cached(app, now + CACHE_NANOS));
        return scoped(ctx, app);
    }

    private static Application scoped(Context ctx, Application app) {
        var owner = Auth.principal(ctx);
        if (!owner.admin() && !owner.appId().equals(app.id())) throw ApiException.notFound("Application");
        return app;
    }
}
