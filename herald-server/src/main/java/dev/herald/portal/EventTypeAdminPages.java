package dev.herald.portal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.ApiException;
import dev.herald.api.EventTypeRoutes;
import dev.herald.api.Json;
import dev.herald.api.ValidationException;
import dev.herald.domain.EventType;
import dev.herald.portal.PortalViews.EventTypeForm;
import dev.herald.store.EventTypeStore;
import io.javalin.http.Context;
import java.util.Map;

/**
 * The dashboard's event catalog: the operator adds event types, edits them (description, group, feature flags,
 * schemas, payload validation) and archives them, each change going through {@link EventTypeRoutes}, so it is
 * checked exactly as the API's {@code POST} and {@code PUT /api/v1/event-type} are (a schema that does not compile
 * is refused beside the field).
 */
final class EventTypeAdminPages {
    private static final String BASE = DashboardRoutes.BASE + "/event-types";

    private final Pages pages;
    private final EventTypeRoutes routes;
    private final EventTypeStore types;

    EventTypeAdminPages(Pages pages, EventTypeRoutes routes, EventTypeStore types) {
        this.pages = pages;
        this.routes = routes;
        this.types = types;
    }

    void list(Context ctx) {
        pages.render(ctx, 200, "dashboardEventTypes", Map.of("types", types.all(true), "form", EventTypeForm.empty()));
    }

    void show(Context ctx) {
        var type = find(ctx);
        pages.render(ctx, 200, "dashboardEventType", Map.of("type", type, "form", Fields.of(type).form(Map.of())));
    }

    void create(Context ctx) {
        var fields = Fields.read(ctx);
        submit(ctx, fields, "new-event-type", BASE, "Add event type", () -> {
            var json = fields.json();
            json.put("name", fields.name());
            routes.create(EndpointForms.asBody(json));
            ctx.header("HX-Redirect", BASE);
            ctx.status(201);
        });
    }

    /** The form replaces the type's fields, as a PUT does; whether it is archived stays as it is. */
    void update(Context ctx) {
        var type = find(ctx);
        var fields = Fields.read(ctx);
        submit(ctx, fields, "edit-event-type", BASE + "/" + type.name(), "Save", () -> {
            routes.replace(type, EndpointForms.asBody(fields.json().put("archived", type.archived())));
            ctx.header("HX-Refresh", "true");
            ctx.status(204);
        });
    }

    void setArchived(Context ctx, boolean archived) {
        routes.setArchived(find(ctx), archived);
        ctx.header("HX-Refresh", "true");
        ctx.status(204);
    }

    private void submit(Context ctx, Fields fields, String id, String action, String label, Pages.Work change) {
        Pages.submit(change, (status, errors) -> pages.render(ctx, status, "eventTypeForm",
                Map.of("id", id, "action", action, "submit", label, "naming", id.startsWith("new"), "form", fields.form(errors))));
    }

    private EventType find(Context ctx) {
        return types.find(ctx.pathParam("name")).orElseThrow(() -> ApiException.notFound("Event type"));
    }

    /** What the event type form sent. */
    private record Fields(String name, String description, String groupName, String featureFlags, boolean deprecated,
                          boolean validatePayloads, String schemas) {
        static Fields read(Context ctx) {
            return new Fields(Pages.form(ctx, "name"), Pages.form(ctx, "description"), Pages.form(ctx, "groupName"),
                    Pages.form(ctx, "featureFlags"), "on".equals(ctx.formParam("deprecated")),
                    "on".equals(ctx.formParam("validatePayloads")), Pages.form(ctx, "schemas"));
        }

        static Fields of(EventType t) {
            var flags = new java.util.LinkedHashSet<String>();
            if (t.featureFlag() != null) flags.add(t.featureFlag());
            if (t.featureFlags() != null) flags.addAll(t.featureFlags());
            return new Fields(t.name(), t.description(), t.groupName() == null ? "" : t.groupName(), String.join(", ", flags),
                    t.deprecated(), t.validatePayloads(), t.schemasJson() == null ? "" : PortalFormat.pretty(t.schemasJson()));
        }

        /** As EventTypeUpdate; schemas that are not JSON are refused here, beside their field. */
        ObjectNode json() {
            ObjectNode in = Json.MAPPER.createObjectNode();
            in.put("description", description);
            if (!groupName.isEmpty()) in.put("groupName", groupName);
            var flags = Pages.commaList(featureFlags);
            if (!flags.isEmpty()) flags.forEach(in.putArray("featureFlags")::add);
            in.put("deprecated", deprecated);
            in.put("validatePayloads", validatePayloads);
            if (!schemas.isEmpty()) {
                try {
                    in.set("schemas", Json.WHOLE.readTree(schemas));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw ValidationException.of("schemas", "The schemas are not JSON: " + e.getOriginalMessage(), "value_error.jsondecode");
                }
            }
            return in;
        }

        EventTypeForm form(Map<String, String> errors) {
            return new EventTypeForm(name, description, groupName, featureFlags, deprecated, validatePayloads, schemas, errors);
        }
    }
}
