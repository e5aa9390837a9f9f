package dev.herald.api;

import dev.herald.outbound.UrlPolicy;
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
 * An endpoint's transformation through Svix's routes ({@code GET}/{@code PATCH …/transformation}, with Herald's
 * template as the {@code code}), and {@code POST …/transformation/simulate}: the request the transformation (the
 * stored one, or one given to try) would make of a message, without sending it.
 */
public final class TransformationRoutes {
    private final AppResolver apps;
    private final EndpointRoutes endpoints;
    private final dev.herald.store.EndpointStore store;
    private final Clock clock;
    private final UrlPolicy urlPolicy;

    public TransformationRoutes(AppResolver apps, EndpointRoutes endpoints, dev.herald.store.EndpointStore store, Clock clock,
                                UrlPolicy urlPolicy) {
        this.apps = apps;
        this.endpoints = endpoints;
        this.store = store;
        this.clock = clock;
        this.urlPolicy = urlPolicy;
    }

    /** {@code body} is the JSON sent when it parses as JSON, else the text. Signature headers are left out. */
    public record SimulateOut(String method, String url, Map<String, String> headers, JsonNode body) {}

    public void register(RoutesConfig routes) {
        routes.post("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation/simulate", this::simulate);
        routes.get("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation", this::getTransformation);
        routes.patch("/api/v1/app/{app_id}/endpoint/{endpoint_id}/transformation", this::patchTransformation);
    }

    /** Svix's EndpointTransformationOut: {@code code} is Herald's template as JSON text. */
    public record TransformationOut(String code, boolean enabled, java.time.Instant updatedAt) {}

    /** The endpoint's transformation, in effect ({@code enabled}) or switched off; {@code code} null: none. */
    void getTransformation(Context ctx) {
        var endpoint = endpoints.find(ctx, apps.resolve(ctx));
        String active = endpoint.transformationJson();
        String code = active != null ? active : switchedOff(endpoint).orElse(null);
        // compact, as it was given (the database keeps it as jsonb, which spaces it)
        ctx.json(new TransformationOut(code == null ? null : PayloadJson.parse(code).toString(), active != null || code == null,
                endpoint.updatedAt()));
    }

    void patchTransformation(Context ctx) {
        var app = apps.resolve(ctx);
        setTransformation(app, endpoints.find(ctx, app), Body.of(ctx));
        ctx.status(204);
    }

    /** The endpoint's transformation switched off, if one is kept (none while one is in effect). */
    public Optional<String> switchedOff(dev.herald.domain.Endpoint endpoint) {
        return endpoint.transformationJson() != null ? Optional.empty() : store.switchedOffTransformation(endpoint.id());
    }

    /**
     * Svix's EndpointTransformationPatch (and 1.x's EndpointTransformationIn): {@code code} (Herald's template as JSON
     * text, checked as an endpoint's; null removes it), {@code enabled} (false keeps it but sends messages as they are).
     * Svix's JavaScript, and {@code variables} (Herald's templates take none), are a 422.
     */
    public void setTransformation(dev.herald.domain.Application app, dev.herald.domain.Endpoint endpoint, Body body) {
        String active = endpoint.transformationJson();
        String switchedOff = switchedOff(endpoint).orElse(null);
        String code = active != null ? active : switchedOff;
        if (body.has("code")) {
            String text = body.string("code", 1, 65_536);
            code = text == null ? null : RoutingInput.transformationText(body, "code", text, urlPolicy);
        }
        boolean enabled = body.has("enabled") ? !Boolean.FALSE.equals(body.bool("enabled")) : active != null || switchedOff == null;
        JsonNode variables = body.object("variables");
        if (variables != null && !variables.isEmpty()) {
            body.fail("variables", "Herald's templates take no variables: write the values into the template", "value_error");
        }
        body.validate();
        boolean unchanged = java.util.Objects.equals(code, active != null ? active : switchedOff)
                && enabled == (active != null || switchedOff == null);
        if (unchanged) return; // nothing to write: no update, no endpoint.updated event
        // the code is written where it goes before it leaves where it was: a failure between keeps it in both
        var change = Json.MAPPER.createObjectNode();
        if (enabled && code != null) change.set("transformation", PayloadJson.parse(code));
        else change.putNull("transformation");
        if (!enabled && code != null) store.keepSwitchedOffTransformation(endpoint.id(), code);
        endpoints.patch(app, endpoint, Body.of(change.toString().getBytes(StandardCharsets.UTF_8)));
        if (enabled || code == null) store.keepSwitchedOffTransformation(endpoint.id(), null);
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
        Map<String, String> endpointHeaders = store.headersOf(endpoint);
        RequestDraft draft;
        if (source == null) {
            draft = new RequestDraft("POST", endpoint.url(), endpointHeaders, payloadBytes);
        } else {
            TransformationRenderer renderer = RoutingInput.renderer(source, "transformation", urlPolicy);
            var context = TransformationContext.of(Ids.next(Ids.MESSAGE), eventType, null, clock.instant(), payload,
                    app.id(), app.uid(), app.name(), endpoint.id());
            try {
                draft = RequestDraft.of(endpoint.url(), endpointHeaders, payloadBytes, renderer.render(context));
            } catch (RuntimeException e) {
                throw ValidationException.of("transformation", "transformation could not be rendered: " + e.getMessage(),
                        "value_error.transformation");
            }
            draft.urlProblem(urlPolicy).ifPresent(problem -> {
                throw ValidationException.of("transformation", problem, "value_error.transformation");
            });
        }
        var headers = new LinkedHashMap<>(draft.headers());
        // the endpoint's credential headers by name only, as its headers route shows them to every token (HeadersOut):
        // Try it is open to a portal that may not read them. Whatever the value: shown when a transformation replaced
        // it, a guessed value given in the request's transformation would be withheld only when right
        endpointHeaders.forEach((name, value) -> {
            if (EndpointRoutes.HeadersOut.sensitive(name)) headers.replaceAll((k, v) -> k.equalsIgnoreCase(name) ? WITHHELD : v);
        });
        // as the signer does: a custom content type replaces the default
        if (headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) headers.put("content-type", "application/json");
        return new SimulateOut(draft.method(), draft.url(), headers, bodyOf(draft.body()));
    }

    /** What a preview shows for the value of an endpoint's credential header. */
    static final String WITHHELD = "(withheld: an endpoint's credential header)";

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
