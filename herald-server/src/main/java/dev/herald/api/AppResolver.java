package dev.herald.api;

import dev.herald.domain.Application;
import dev.herald.store.ApplicationStore;
import io.javalin.http.Context;

/**
 * Turns the {@code {app_id}} path parameter (id or uid) into the application, enforcing the token's
 * scope: an application-scoped token sees another application as not found, never as forbidden.
 */
public final class AppResolver {
    private final ApplicationStore apps;

    public AppResolver(ApplicationStore apps) {
        this.apps = apps;
    }

    public Application resolve(Context ctx) {
        String key = ctx.pathParam("app_id");
        var owner = Auth.principal(ctx);
        var app = apps.find(key).orElseThrow(() -> ApiException.notFound("Application"));
        if (!owner.admin() && !owner.appId().equals(app.id())) throw ApiException.notFound("Application");
        return app;
    }
}
