package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.Ids;
import dev.herald.routing.PayloadJson;
import dev.herald.routing.RequestDraft;
import dev.herald.routing.TransformationContext;
import dev.herald.routing.TransformationRenderer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation/simulate}: the request an
 * endpoint's transformation (the stored one, or one given to try) would make of a message, without sending it.
 */
public final class TransformationRoutes {
    private final AppResolver apps;
    private final EndpointRoutes endpoints;
    private final Clock clock;
    private final Function<String, Optional<String>> hostRefusal;

    public TransformationRoutes(AppResolver apps, EndpointRoutes endpoints, Clock clock,
                                Function<String, Optional<String>> hostRefusal) {
        this.apps = apps;
        this.endpoints = endpoints;
        this.clock = clock;
        this.hostRefusal = hostRefusal;
    }

    /** {@code body} is the JSON sent when it parses as JSON, else the text. Signature headers are left out. */
    public record SimulateOut(String method, String url, Map<String, String> headers, JsonNode body) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation/simulate", this::simulate);
        routes.get("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation", this::svixTransformation);
        routes.patch("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation", this::svixTransformation);
    }

    /**
     * Svix's transformation routes ({@code transformationGet}, {@code patchTransformation}) carry JavaScript, which
     * Herald does not run: a 501 that says what to use instead, rather than a 404 that reads as a missing endpoint.
     */
    void svixTransformation(Context ctx) {
        var app = apps.resolve(ctx);
        endpoints.find(ctx, app);
        throw new ApiException(501, "not_implemented", "Herald does not run JavaScript transformations: set the endpoint's "
                + "transformation (method, url, headers and body templates) with PUT or PATCH on the endpoint, and try it with "
                + "POST …/transformation/simulate");
    }

    void simulate(Context ctx) {
        var app = apps.resolve(ctx);
        ctx.json(simulate(app, endpoints.find(ctx, app), Body.of(ctx)));
    }

    /**
     * The request {@code {eventType, payload, transformation?}} would make (the API's simulate and the portal's Try it);
     * a transformation that cannot be rendered, or renders an address the guard refuses, is a ValidationException.
     */
    public SimulateOut simulate(dev.herald.domain.Application app, dev.herald.domain.Endpoint endpoint, Body body) {
        String eventType = body.requiredString("eventType", 1, 256);
        JsonNode payload = body.object("payload");
        if (payload == null && body.raw("payload") == null) body.fail("payload", "field required", "value_error.missing");
        JsonNode given = body.object("transformation");
        body.validate();

        JsonNode source = given != null ? given
                : endpoint.transformationJson() != null ? PayloadJson.parse(endpoint.transformationJson()) : null;
        byte[] payloadBytes = payload.toString().getBytes(StandardCharsets.UTF_8);
        RequestDraft draft;
        if (source == null) {
            draft = new RequestDraft("POST", endpoint.url(), endpoint.headers(), payloadBytes);
        } else {
            TransformationRenderer renderer = RoutingInput.renderer(source, "transformation", hostRefusal);
            var context = TransformationContext.of(Ids.next(Ids.MESSAGE), eventType, null, clock.instant(), payload,
                    app.id(), app.uid(), app.name(), endpoint.id());
            try {
                draft = RequestDraft.of(endpoint.url(), endpoint.headers(), payloadBytes, renderer.render(context));
            } catch (RuntimeException e) {
                throw ValidationException.of("transformation", "transformation could not be rendered: " + e.getMessage(),
                        "value_error.transformation");
            }
            draft.urlProblem(hostRefusal).ifPresent(problem -> {
                throw ValidationException.of("transformation", problem, "value_error.transformation");
            });
        }
        var headers = new LinkedHashMap<>(draft.headers());
        // as the signer does: a custom content type replaces the default
        if (headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) headers.put("content-type", "application/json");
        return new SimulateOut(draft.method(), draft.url(), headers, bodyOf(draft.body()));
    }

    private static JsonNode bodyOf(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            JsonNode parsed = Json.MAPPER.readTree(text);
            if (parsed != null && !parsed.isMissingNode()) return parsed;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // not JSON: shown as the text it is
        }
        return Json.MAPPER.getNodeFactory().textNode(text);
    }
}
