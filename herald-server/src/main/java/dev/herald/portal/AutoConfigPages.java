package dev.herald.portal;

import dev.herald.api.AutoConfigRoutes;
import dev.herald.domain.Application;
import dev.herald.domain.PageRequest;
import dev.herald.portal.PortalViews.Shell;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The portal's AutoConfig tokens: a customer makes one to set up an endpoint from their own code, makes a new one when
 * it leaked, or deletes it. Changes go through {@link AutoConfigRoutes}, as the API's do.
 */
final class AutoConfigPages {
    private final Pages pages;
    private final AutoConfigRoutes routes;

    AutoConfigPages(Pages pages, AutoConfigRoutes routes) {
        this.pages = pages;
        this.routes = routes;
    }

    void list(Context ctx, Application app, Shell shell) {
        pages.render(ctx, 200, "autoconfig", Map.of("shell", shell, "configs", routes.list(app, PageRequest.MAX_LIMIT)));
    }

    /** A new token, shown once; it bears the portal's own feature flags. */
    void create(Context ctx, Application app) {
        var created = routes.create(ctx, app, PortalSession.owner(ctx).featureFlags());
        pages.render(ctx, 201, "autoconfigToken", Map.of("token", created.token()));
    }

    void rotate(Context ctx, Application app) {
        var rotated = routes.rotate(ctx, app, routes.find(ctx, app));
        pages.render(ctx, 200, "autoconfigToken", Map.of("token", rotated.token()));
    }

    void delete(Context ctx, Application app) {
        routes.delete(app, routes.find(ctx, app));
        ctx.header("HX-Redirect", "/portal/" + app.id() + "/autoconfig");
        ctx.status(204);
    }
}
