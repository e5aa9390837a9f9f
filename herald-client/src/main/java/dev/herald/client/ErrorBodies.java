package dev.herald.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Turns an error response into the typed exception for its status, keeping Svix's error body. */
final class ErrorBodies {
    private ErrorBodies() {}

    static HeraldApiException toException(int status, String body) {
        JsonNode json = parse(body);
        if (status == 422 && json.path("detail").isArray()) return new HeraldValidationException(fieldErrors(json), body);
        String code = json.path("code").isTextual() ? json.path("code").textValue() : null;
        String detail = json.path("detail").isTextual() ? json.path("detail").textValue() : (json.isMissingNode() ? body : null);
        return switch (status) {
            case 401, 403 -> new HeraldAuthException(status, code, detail, body);
            case 404 -> new HeraldNotFoundException(code, detail, body);
            case 409 -> new HeraldConflictException(code, detail, body);
            default -> new HeraldApiException(status, code, detail, body);
        };
    }

    private static List<HeraldValidationException.FieldError> fieldErrors(JsonNode json) {
        var errors = new ArrayList<HeraldValidationException.FieldError>();
        for (JsonNode item : json.path("detail")) {
            var loc = new ArrayList<String>();
            item.path("loc").forEach(part -> loc.add(part.asText()));
            errors.add(new HeraldValidationException.FieldError(loc, item.path("msg").asText(), item.path("type").asText()));
        }
        return errors;
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        try {
            return HeraldJson.mapper().readTree(body);
        } catch (Exception notJson) {
            // a proxy's HTML error page: keep it as the detail rather than failing twice
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
