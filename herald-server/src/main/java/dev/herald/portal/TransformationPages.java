package dev.herald.portal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.herald.api.AttemptRoutes;
import dev.herald.api.Body;
import dev.herald.api.EndpointRoutes;
import dev.herald.api.Json;
import dev.herald.api.TransformationRoutes;
import dev.herald.api.ValidationException;
import dev.herald.domain.Application;
import dev.herald.store.EventTypeStore;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The endpoint page's transformation: the template that reshapes what is sent to this endpoint (method, URL, headers,
 * body), tried on a payload before it is saved. Both go through the API's own code: simulate and the endpoint's PATCH.
 */
final class TransformationPages {
    private final Pages pages;
    private final EndpointRoutes endpointRoutes;
    private final TransformationRoutes transformations;
    private final EventTypeStore eventTypes;

    TransformationPages(Pages pages, EndpointRoutes endpointRoutes, TransformationRoutes transformations,
                        EventTypeStore eventTypes) {
        this.pages = pages;
        this.endpointRoutes = endpointRoutes;
        this.transformations = transformations;
        this.eventTypes = eventTypes;
    }

    /**
     * Try it: the request the template (none: the plain one) would make of the payload (none: the type's example, if
     * the link's feature flags show the type).
     */
    void tryIt(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        String eventType = Pages.form(ctx, "eventType");
        String payloadText = Pages.form(ctx, "payload");
        if (payloadText.isEmpty()) {
            var flags = PortalSession.owner(ctx).featureFlags();
            payloadText = eventTypes.find(eventType).filter(t -> t.visibleWith(flags))
                    .map(t -> AttemptRoutes.examplePayload(t, 0)).orElse("{}");
        }
        ObjectNode in = Json.MAPPER.createObjectNode().put("eventType", eventType);
        try {
            in.set("payload", json(payloadText, "The payload"));
            String template = Pages.form(ctx, "transformation");
            if (!template.isEmpty()) in.set("transformation", json(template, "The template"));
            var out = transformations.simulate(app, endpoint, body(in));
            pages.render(ctx, 200, "transformationResult", Map.of("out", out,
                    "body", out.body().isTextual() ? out.body().asText() : PortalFormat.pretty(out.body().toString())));
        } catch (ValidationException e) {
            refuse(ctx, e);
        }
    }

    /**
     * Save: the template becomes the endpoint's transformation in effect, through the API's checks (as Svix's
     * transformation PATCH with {@code enabled: true}); an empty one removes it, switched off or not.
     */
    void save(Context ctx, Application app) {
        var endpoint = endpointRoutes.find(ctx, app);
        String template = Pages.form(ctx, "transformation");
        ObjectNode in = Json.MAPPER.createObjectNode();
        try {
            if (template.isEmpty()) {
                in.putNull("code");
            } else {
                json(template, "The template"); // not JSON: said as such, rather than as a bad template
                in.put("code", template).put("enabled", true);
            }
            transformations.setTransformation(app, endpoint, body(in));
            pages.render(ctx, 200, "notice", Map.of("text", template.isEmpty()
                    ? "Saved: no transformation; messages are sent as they are." : "Saved: messages to this endpoint are sent as the template says.",
                    "error", false));
        } catch (ValidationException e) {
            refuse(ctx, e);
        }
    }

    /** The endpoint's transformation switched off (shown to switch on again), or null. */
    String switchedOff(dev.herald.domain.Endpoint endpoint) {
        return transformations.switchedOff(endpoint).orElse(null);
    }

    /** Switches the saved transformation off (kept; messages go as they are) or on again. */
    void setEnabled(Context ctx, Application app, boolean enabled) {
        var endpoint = endpointRoutes.find(ctx, app);
        transformations.setTransformation(app, endpoint, body(Json.MAPPER.createObjectNode().put("enabled", enabled)));
        ctx.header("HX-Refresh", "true");
        ctx.status(204);
    }

    private void refuse(Context ctx, ValidationException e) {
        String why = e.items().stream().map(ValidationException.Item::msg).collect(Collectors.joining("; "));
        pages.render(ctx, 422, "notice", Map.of("text", why, "error", true));
    }

    private static JsonNode json(String text, String what) {
        try {
            return Json.WHOLE.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ValidationException.of("transformation", what + " is not JSON: " + e.getOriginalMessage(), "value_error.jsondecode");
        }
    }

    private static Body body(ObjectNode in) {
        return Body.of(in.toString().getBytes(StandardCharsets.UTF_8));
    }
}
