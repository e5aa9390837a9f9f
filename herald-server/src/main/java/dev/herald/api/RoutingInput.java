package dev.herald.api;

import dev.herald.outbound.UrlPolicy;
import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.routing.InvalidFilterException;
import dev.herald.routing.InvalidTransformationException;
import dev.herald.routing.PayloadFilter;
import dev.herald.routing.TransformationRenderer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Validation of Herald's routing extras on endpoints, {@code filter} and {@code transformation}: each is
 * compiled here exactly as fan-out and delivery will compile it, so what is stored is known to run.
 */
final class RoutingInput {
    private RoutingInput() {}

    /** The filter as JSON text, null when absent or null; an unusable one fails naming the bad operator or path. */
    static String filter(Body body) {
        JsonNode node = body.object("filter");
        if (node == null) return null;
        try {
            PayloadFilter.parse(node);
        } catch (InvalidFilterException e) {
            body.fail("filter", e.getMessage(), "value_error.filter");
            return null;
        }
        Optional<String> tooLong = StoredJsonNumbers.problem(node);
        if (tooLong.isPresent()) {
            body.fail("filter", tooLong.get(), "value_error.filter");
            return null;
        }
        return node.toString();
    }

    /** The transformation as JSON text, null when absent or null; an unusable one fails naming its field. */
    static String transformation(Body body, UrlPolicy urlPolicy) {
        JsonNode node = body.object("transformation");
        if (node == null) return null;
        Optional<String> problem = problem(node, urlPolicy);
        if (problem.isPresent()) {
            body.fail("transformation", problem.get(), "value_error.transformation");
            return null;
        }
        return node.toString();
    }

    /**
     * A transformation given as JSON text (a connector's {@code transformation}, a string in Svix's API), checked as
     * {@link #transformation} checks the object; the text as stored (compact), or null after a failure.
     */
    static String transformationText(Body body, String field, String text, UrlPolicy urlPolicy) {
        JsonNode node;
        try {
            node = Json.WHOLE.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            node = null;
        }
        if (node == null || !node.isObject()) {
            body.fail(field, "must be Herald's transformation template as JSON text, {\"method\"?, \"url\"?, \"headers\"?, "
                    + "\"body\"?} with {{payload.x}} tags (Herald runs no JavaScript)", "value_error.transformation");
            return null;
        }
        Optional<String> problem = problem(node, urlPolicy);
        if (problem.isPresent()) {
            body.fail(field, problem.get(), "value_error.transformation");
            return null;
        }
        return node.toString();
    }

    /** The compiled transformation, or a 422 at {@code field}. */
    static TransformationRenderer renderer(JsonNode node, String field, UrlPolicy urlPolicy) {
        problem(node, urlPolicy).ifPresent(p -> {
            throw ValidationException.of(field, p, "value_error.transformation");
        });
        return TransformationRenderer.parse(node);
    }

    private static Optional<String> problem(JsonNode node, UrlPolicy urlPolicy) {
        try {
            TransformationRenderer.parse(node);
        } catch (InvalidTransformationException e) {
            return Optional.of(e.getMessage());
        }
        Optional<String> tooLong = StoredJsonNumbers.problem(node);
        if (tooLong.isPresent()) return tooLong;
        // the same names endpoint headers may not use: a template must not replace the signature or framing
        JsonNode headers = node.path("headers");
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            Optional<String> problem = EndpointInput.headerProblem(header.getKey(), header.getValue().textValue());
            if (problem.isPresent()) return Optional.of("headers: " + problem.get());
        }
        // a URL with no {{tag}} never changes: check it now as an endpoint URL; templated ones are checked per send
        JsonNode url = node.path("url");
        if (url.isTextual() && !url.textValue().contains("{{")) {
            Optional<String> problem = EndpointInput.urlProblem(url.textValue(), urlPolicy);
            if (problem.isPresent()) return Optional.of("url: " + problem.get());
        }
        return Optional.empty();
    }
}
