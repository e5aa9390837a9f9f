package dev.herald.portal;

import dev.herald.api.ApiException;
import dev.herald.api.EndpointRoutes;
import dev.herald.api.Json;
import dev.herald.api.ValidationException;
import dev.herald.domain.Application;
import dev.herald.domain.Connector;
import dev.herald.portal.PortalViews.EndpointForm;
import dev.herald.portal.PortalViews.Shell;
import dev.herald.store.ConnectorStore;
import io.javalin.http.Context;
import java.util.HashMap;
import java.util.List;

/**
 * Connecting a service from the portal: the operator's connectors (Svix's transformation templates) a customer may
 * pick, e.g. Slack. Picking one shows its instructions and the endpoint form; the endpoint it makes carries the
 * connector's transformation and takes only the connector's event types. The endpoint goes through the API's own
 * checks, as the portal's other endpoint forms do.
 */
final class ConnectorPages {
    private final Pages pages;
    private final EndpointForms forms;
    private final EndpointRoutes endpointRoutes;
    private final ConnectorStore connectors;

    ConnectorPages(Pages pages, EndpointForms forms, EndpointRoutes endpointRoutes, ConnectorStore connectors) {
        this.pages = pages;
        this.forms = forms;
        this.endpointRoutes = endpointRoutes;
        this.connectors = connectors;
    }

    /**
     * The connectors this portal's token may use: webhook ones, flagged only with a flag it bears (as event types), and
     * taking at least one type of the catalog it sees ({@code catalog}) when they name their types.
     */
    List<Connector> visible(Context ctx, List<String> catalog) {
        var flags = PortalSession.owner(ctx).featureFlags();
        return connectors.all().stream()
                .filter(c -> Connector.DISPATCH.equals(c.productType()) && c.visibleWith(flags))
                .filter(c -> c.allowedEventTypes() == null || catalog.stream().anyMatch(c.allowedEventTypes()::contains))
                .toList();
    }

    void show(Context ctx, Application app, Shell shell, List<String> catalog) {
        var connector = find(ctx, catalog);
        var params = new HashMap<String, Object>();
        params.put("shell", shell);
        params.put("connector", connector);
        params.put("template", PortalFormat.pretty(connector.transformation()));
        params.put("form", EndpointForm.empty(choices(connector, catalog)));
        pages.render(ctx, 200, "connector", params);
    }

    /**
     * The form as an EndpointIn with the connector's transformation; the types ticked must be the connector's, and
     * none ticked is all of them (an endpoint with none would take every type).
     */
    void connect(Context ctx, Application app, List<String> catalog) {
        var connector = find(ctx, catalog);
        var fields = EndpointForms.Fields.read(ctx);
        var choices = choices(connector, catalog);
        String action = "/portal/" + app.id() + "/connectors/" + connector.id();
        String noneTicked = connector.allowedEventTypes() == null ? "every type" : "all of these";
        forms.submit(ctx, fields, "connect-endpoint", action, "Connect " + connector.name(), choices, noneTicked, () -> {
            var json = fields.json(false);
            if (connector.allowedEventTypes() != null) {
                var outside = fields.types().stream().filter(t -> !connector.allowedEventTypes().contains(t)).toList();
                if (!outside.isEmpty()) {
                    throw ValidationException.of("filterTypes", connector.name() + " takes only " + String.join(", ", choices),
                            "value_error");
                }
                if (fields.types().isEmpty()) {
                    if (choices.isEmpty()) {
                        throw ValidationException.of("filterTypes", "None of the event types " + connector.name()
                                + " takes is available here", "value_error");
                    }
                    choices.forEach(json.putArray("filterTypes")::add);
                }
            }
            if (fields.description().isEmpty()) json.put("description", connector.name());
            json.set("transformation", readTemplate(connector));
            var created = endpointRoutes.create(app, EndpointForms.asBody(json));
            ctx.header("HX-Redirect", "/portal/" + app.id() + "/endpoints/" + created.id());
            ctx.status(201);
        });
    }

    /** The event types to offer: the catalog's, only the connector's when it names them. */
    private static List<String> choices(Connector connector, List<String> catalog) {
        if (connector.allowedEventTypes() == null) return catalog;
        return catalog.stream().filter(connector.allowedEventTypes()::contains).toList();
    }

    private static com.fasterxml.jackson.databind.JsonNode readTemplate(Connector connector) {
        return dev.herald.routing.PayloadJson.parse(connector.transformation());
    }

    /** The path's connector, if this portal may see it (otherwise as if there were none). */
    private Connector find(Context ctx, List<String> catalog) {
        String id = ctx.pathParam("connector_id");
        return visible(ctx, catalog).stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.notFound("Connector"));
    }
}
