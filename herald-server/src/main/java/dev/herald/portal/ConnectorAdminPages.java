package dev.herald.portal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.ApiException;
import dev.herald.api.ConnectorRoutes;
import dev.herald.api.Json;
import dev.herald.domain.Connector;
import dev.herald.portal.PortalViews.ConnectorForm;
import dev.herald.store.ConnectorStore;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's connectors: the operator adds, edits and deletes them in a form, each change going through
 * {@link ConnectorRoutes}, so it is checked exactly as the API's {@code POST} and {@code PUT /api/v1/connector} are.
 */
final class ConnectorAdminPages {
    private static final String BASE = DashboardRoutes.BASE + "/connectors";

    private final Pages pages;
    private final ConnectorRoutes routes;
    private final ConnectorStore connectors;

    ConnectorAdminPages(Pages pages, ConnectorRoutes routes, ConnectorStore connectors) {
        this.pages = pages;
        this.routes = routes;
        this.connectors = connectors;
    }

    void list(Context ctx) {
        pages.render(ctx, 200, "dashboardConnectors", Map.of("connectors", connectors.all(), "form", ConnectorForm.empty()));
    }

    void show(Context ctx) {
        var connector = find(ctx);
        pages.render(ctx, 200, "dashboardConnector", Map.of("connector", connector, "form", Fields.of(connector).form(Map.of())));
    }

    void create(Context ctx) {
        var fields = Fields.read(ctx);
        submit(ctx, fields, "new-connector", BASE, "Add connector", () -> {
            routes.create(EndpointForms.asBody(fields.json(false)), null);
            ctx.header("HX-Redirect", BASE);
            ctx.status(201);
        });
    }

    /** The form replaces the connector's fields, as a PUT does (an emptied uid is removed). */
    void update(Context ctx) {
        var connector = find(ctx);
        var fields = Fields.read(ctx);
        submit(ctx, fields, "edit-connector", BASE + "/" + connector.id(), "Save", () -> {
            routes.replace(connector, EndpointForms.asBody(fields.json(true)));
            ctx.header("HX-Refresh", "true");
            ctx.status(204);
        });
    }

    void delete(Context ctx) {
        connectors.delete(find(ctx).id());
        ctx.header("HX-Redirect", BASE);
        ctx.status(204);
    }

    private void submit(Context ctx, Fields fields, String id, String action, String label, Pages.Work change) {
        Pages.submit(change, (status, errors) -> pages.render(ctx, status, "connectorForm",
                Map.of("id", id, "action", action, "submit", label, "form", fields.form(errors))));
    }

    private Connector find(Context ctx) {
        return connectors.find(ctx.pathParam("connector_id")).orElseThrow(() -> ApiException.notFound("Connector"));
    }

    /** What the connector form sent; the lists comma-separated. */
    private record Fields(String name, String uid, String kind, String logo, String description, String instructions,
                          String allowedEventTypes, String featureFlags, String transformation) {
        static Fields read(Context ctx) {
            return new Fields(Pages.form(ctx, "name"), Pages.form(ctx, "uid"), Pages.form(ctx, "kind"), Pages.form(ctx, "logo"),
                    Pages.form(ctx, "description"), Pages.form(ctx, "instructions"), Pages.form(ctx, "allowedEventTypes"),
                    Pages.form(ctx, "featureFlags"), Pages.form(ctx, "transformation"));
        }

        static Fields of(Connector c) {
            return new Fields(c.name(), c.uid() == null ? "" : c.uid(), c.kind(), c.logo() == null ? "" : c.logo(),
                    c.description(), c.instructions(), join(c.allowedEventTypes()), join(c.featureFlags()),
                    PortalFormat.pretty(c.transformation()));
        }

        private static String join(Set<String> items) {
            return items == null ? "" : String.join(", ", items);
        }

        /** As ConnectorIn; {@code whole}: an emptied uid or logo is sent as null (a PUT keeps what it is not given). */
        ObjectNode json(boolean whole) {
            ObjectNode in = Json.MAPPER.createObjectNode();
            in.put("name", name);
            if (!uid.isEmpty()) in.put("uid", uid);
            else if (whole) in.putNull("uid");
            if (!kind.isEmpty()) in.put("kind", kind);
            if (!logo.isEmpty()) in.put("logo", logo);
            in.put("description", description);
            in.put("instructions", instructions);
            var types = Pages.commaList(allowedEventTypes);
            if (!types.isEmpty()) types.forEach(in.putArray("allowedEventTypes")::add);
            var flags = Pages.commaList(featureFlags);
            if (!flags.isEmpty()) flags.forEach(in.putArray("featureFlags")::add);
            in.put("transformation", transformation);
            return in;
        }

        ConnectorForm form(Map<String, String> errors) {
            return new ConnectorForm(name, uid, kind, logo, description, instructions, allowedEventTypes, featureFlags,
                    transformation, errors);
        }
    }
}
