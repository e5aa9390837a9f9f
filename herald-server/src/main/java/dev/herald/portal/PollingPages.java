package dev.herald.portal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.ApiException;
import dev.herald.api.Body;
import dev.herald.api.Json;
import dev.herald.api.PollerRoutes;
import dev.herald.api.PortalAccessRoutes;
import dev.herald.domain.Application;
import dev.herald.domain.PageRequest;
import dev.herald.domain.Poller;
import dev.herald.portal.PortalViews.PollerForm;
import dev.herald.portal.PortalViews.Shell;
import dev.herald.store.PollerStore;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The portal's polling endpoints: for a customer who cannot take webhooks, a poller to read its messages from, with
 * the URL to read and a key that reads that poller only. Changes go through {@link PollerRoutes}, as the API's do.
 */
final class PollingPages {
    private final Pages pages;
    private final PollerRoutes routes;
    private final PollerStore pollers;
    private final java.time.Clock clock;
    private final PortalAccessRoutes access;

    PollingPages(Pages pages, PollerRoutes routes, PollerStore pollers, java.time.Clock clock, PortalAccessRoutes access) {
        this.pages = pages;
        this.routes = routes;
        this.pollers = pollers;
        this.clock = clock;
        this.access = access;
    }

    void list(Context ctx, Application app, Shell shell, List<String> catalog) {
        var list = pollers.list(app.id(), new PageRequest(PageRequest.MAX_LIMIT, null, false)).data();
        pages.render(ctx, 200, "polling", Map.of("shell", shell, "pollers", list, "form", PollerForm.empty(catalog)));
    }

    void create(Context ctx, Application app, Supplier<List<String>> catalog) {
        var fields = Fields.read(ctx);
        Pages.submit(() -> {
            var created = routes.create(app, fields.body());
            ctx.header("HX-Redirect", "/portal/" + app.id() + "/polling/" + created.id());
            ctx.status(201);
        }, (status, errors) -> formAgain(ctx, app, status, fields, catalog.get(), errors));
    }

    void show(Context ctx, Application app, Shell shell) {
        var poller = find(ctx, app);
        String base = access.baseUrl(ctx);
        String url = base + PollerRoutes.PollerOut.of(poller).pollPath();
        pages.render(ctx, 200, "poller", Map.of("shell", shell, "poller", poller, "url", url,
                "leaseUrl", base + "/api/v1/app/" + app.id()
                        + "/polling-endpoint/" + poller.id() + "/consumer/",
                "consumers", pollers.consumers(poller.id(), clock.instant())));
    }

    /** A new key, shown once; the poller's earlier keys end now. */
    void rotateKey(Context ctx, Application app) {
        var key = routes.rotateKey(app, find(ctx, app));
        pages.render(ctx, 200, "pollerKey", Map.of("key", key.key()));
    }

    void delete(Context ctx, Application app) {
        routes.delete(app, find(ctx, app));
        ctx.header("HX-Redirect", "/portal/" + app.id() + "/polling");
        ctx.status(204);
    }

    private Poller find(Context ctx, Application app) {
        return pollers.find(app.id(), ctx.pathParam("poller_id"))
                .orElseThrow(() -> ApiException.notFound("Polling endpoint"));
    }

    private void formAgain(Context ctx, Application app, int status, Fields fields, List<String> catalog,
                           Map<String, String> errors) {
        pages.render(ctx, status, "pollerForm", Map.of("action", "/portal/" + app.id() + "/polling", "form",
                new PollerForm(fields.description(), fields.types(), fields.channels(), catalog, errors)));
    }

    /** What the form sent: channels as one comma-separated field. */
    private record Fields(String description, Set<String> types, String channels) {
        static Fields read(Context ctx) {
            return new Fields(Pages.form(ctx, "description"), new LinkedHashSet<>(ctx.formParams("filterTypes")),
                    Pages.form(ctx, "channels"));
        }

        Body body() {
            ObjectNode in = Json.MAPPER.createObjectNode();
            if (!description.isEmpty()) in.put("description", description);
            if (!types.isEmpty()) types.forEach(in.putArray("filterTypes")::add);
            var names = Pages.commaList(channels);
            if (!names.isEmpty()) names.forEach(in.putArray("channels")::add);
            return Body.of(in.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
