package dev.herald.api;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.herald.domain.Application;
import dev.herald.store.ApplicationStore;
import io.javalin.http.Context;
import java.time.Duration;

/**
 * Turns the {@code {app_id}} path parameter (id or uid) into the application, enforcing the token's
 * scope: an application-scoped token sees another application as not found (the organization's routes, replacing
 * or deleting one, are forbidden to it whichever it names: Auth.requireAdmin comes first). Herald's own
 * application (the operational webhook endpoints') is not found here either.
 */
public final class AppResolver {
    /**
     * How long publishing trusts a uid it resolved: a uid can be given to another application, so it is looked up
     * again after this (a second of staleness is harmless there).
     */
    static final Duration UID_CACHED_FOR = Duration.ofSeconds(1);
    /**
     * How long publishing trusts an application id it found. An id always names the same application and is never
     * reused; one deleted meanwhile is caught by the message insert, which answers 404. (Refreshed every second like a
     * uid, an id cost a lookup per publish once applications outnumbered publishes per second.)
     */
    static final Duration ID_CACHED_FOR = Duration.ofHours(1);
    /** Entries kept: applications published to within {@link #ID_CACHED_FOR}, at about 200 bytes each. */
    static final int MAX_CACHED = 100_000;

    private final ApplicationStore apps;
    /** Path key (id or uid) to application id; one lookup per key and expiry, however many requests miss at once. */
    private final SharedLoads<String, String> publishIds;

    public AppResolver(ApplicationStore apps) {
        this(apps, Ticker.systemTicker());
    }

    /** @param ticker the cache's clock (tests move it) */
    AppResolver(ApplicationStore apps, Ticker ticker) {
        this.apps = apps;
        this.publishIds = new SharedLoads<>(Caffeine.newBuilder()
                .expireAfter(Expiry.<String, String>creating((key, id) -> key.equals(id) ? ID_CACHED_FOR : UID_CACHED_FOR))
                .maximumSize(MAX_CACHED)
                .ticker(ticker)
                .build());
    }

    public Application resolve(Context ctx) {
        String key = ctx.pathParam("app_id");
        return scoped(ctx, apps.find(key).filter(a -> !a.operational()).orElseThrow(() -> ApiException.notFound("Application")));
    }

    /**
     * The id of the path's application, as {@link #resolve} finds it but from a cache: for the publish path only, where
     * an application deleted meanwhile is caught by the message insert and still answers 404.
     */
    public String resolveCachedId(Context ctx) {
        String id = cachedId(ctx.pathParam("app_id"));
        if (id == null) throw ApiException.notFound("Application");
        return scoped(ctx, id);
    }

    /** The id of the application that {@code key} (id or uid) names, or null; from the cache when it has one. */
    String cachedId(String key) {
        // not found: not cached. Herald's own application is not found here: its endpoints have routes of their own
        return publishIds.get(key, k -> apps.find(k).filter(a -> !a.operational()).map(Application::id).orElse(null));
    }

    /**
     * A uid this node may have cached for publishing no longer names that application (changed, or the application
     * deleted): forgotten at once here, so a publish to it that follows on this node goes to whichever application has
     * it now (other nodes within {@link #UID_CACHED_FOR}).
     */
    void forgetUid(String uid) {
        if (uid != null) publishIds.invalidate(uid);
    }

    private static Application scoped(Context ctx, Application app) {
        scoped(ctx, app.id());
        return app;
    }

    private static String scoped(Context ctx, String appId) {
        var owner = Auth.principal(ctx);
        if (!owner.admin() && !owner.appId().equals(appId)) throw ApiException.notFound("Application");
        return appId;
    }
}
