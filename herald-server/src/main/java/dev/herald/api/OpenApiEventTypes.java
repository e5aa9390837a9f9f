package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Event types read from an OpenAPI document, as Svix imports them: each entry of {@code webhooks} (OpenAPI 3.1) or
 * {@code x-webhooks} (3.0) is an event type of that name. Its operation gives the description ({@code description},
 * else {@code summary}), {@code deprecated}, {@code x-svix-group-name} and {@code x-svix-feature-flag}; the JSON
 * schema of its request body becomes the type's schema version 1, with local {@code $ref}s written out in place.
 */
final class OpenApiEventTypes {
    /** How deep references may nest; a deeper chain is taken for a cycle. */
    private static final int MAX_REF_DEPTH = 32;
    /**
     * How deep a written-out schema may be: well under the API's nesting limit (128), with which stored schemas are
     * read back under their version key and the schemas object.
     */
    static final int MAX_SCHEMA_DEPTH = 60;
    /** How many values the written-out schemas of one document may hold: references used many times multiply. */
    static final int MAX_SCHEMA_NODES = 200_000;
    private static final List<String> METHODS = List.of("post", "put", "patch", "get", "delete");

    /** One event type as the document describes it; {@code schemas} is null when the body has no JSON schema. */
    record Imported(String name, String description, ObjectNode schemas, boolean deprecated, String groupName,
                    String featureFlag) {}

    /** Why the document cannot be imported, and where in it (the path under {@code spec}). */
    static final class InvalidSpec extends RuntimeException {
        final List<String> where;

        InvalidSpec(String message, List<String> where) {
            super(message);
            this.where = where;
        }
    }

    private OpenApiEventTypes() {}

    static List<Imported> read(JsonNode spec) {
        if (spec == null || !spec.isObject()) throw new InvalidSpec("the OpenAPI document must be an object", List.of());
        String section = spec.has("webhooks") ? "webhooks" : "x-webhooks";
        JsonNode webhooks = spec.path(section);
        if (!webhooks.isObject()) {
            throw new InvalidSpec("the document has no webhooks (OpenAPI 3.1) or x-webhooks (3.0) object", List.of());
        }
        var imported = new ArrayList<Imported>();
        var budget = new int[] {MAX_SCHEMA_NODES};
        for (Map.Entry<String, JsonNode> webhook : webhooks.properties()) {
            String name = webhook.getKey();
            List<String> where = List.of(section, name);
            if (name.length() > 256 || !EventTypeRoutes.NAME.matcher(name).matches()) {
                throw new InvalidSpec("webhook name is not a valid event type name: " + name, where);
            }
            JsonNode operation = operation(webhook.getValue(), where);
            String description = text(operation, "description");
            if (description == null) description = text(operation, "summary");
            JsonNode schema = operation.path("requestBody").path("content").path("application/json").path("schema");
            ObjectNode schemas = null;
            if (!schema.isMissingNode()) {
                schemas = JsonNodeFactory.instance.objectNode();
                schemas.set("1", resolve(spec, schema, new ArrayDeque<>(), where, 0, budget));
            }
            imported.add(new Imported(name, description == null ? "" : description, schemas,
                    operation.path("deprecated").asBoolean(false), text(operation, "x-svix-group-name"),
                    text(operation, "x-svix-feature-flag")));
        }
        return imported;
    }

    private static JsonNode operation(JsonNode pathItem, List<String> where) {
        if (pathItem.isObject()) {
            for (String method : METHODS) {
                if (pathItem.path(method).isObject()) return pathItem.path(method);
            }
        }
        throw new InvalidSpec("a webhook needs an operation (post, put, patch, get or delete)", where);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.textValue().isBlank() ? value.textValue() : null;
    }

    /** The schema with every local {@code $ref} replaced by what it points to. */
    private static JsonNode resolve(JsonNode spec, JsonNode node, Deque<String> refs, List<String> where, int depth,
                                    int[] budget) {
        if (depth > MAX_SCHEMA_DEPTH) {
            throw new InvalidSpec("the schema, its references written out, nests deeper than " + MAX_SCHEMA_DEPTH, where);
        }
        if (--budget[0] < 0) {
            throw new InvalidSpec("the schemas, their references written out, hold more than " + MAX_SCHEMA_NODES + " values", where);
        }
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && ref.isTextual()) {
                String pointer = ref.textValue();
                if (!pointer.startsWith("#/")) {
                    throw new InvalidSpec("only local references (#/...) can be resolved: " + pointer, where);
                }
                if (refs.contains(pointer) || refs.size() >= MAX_REF_DEPTH) {
                    throw new InvalidSpec("recursive schema references cannot be written out: " + pointer, where);
                }
                JsonNode target = spec.at(pointer.substring(1));
                if (target.isMissingNode()) throw new InvalidSpec("reference not found: " + pointer, where);
                refs.push(pointer);
                JsonNode resolved = resolve(spec, target, refs, where, depth, budget);
                refs.pop();
                return resolved;
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            node.properties().forEach(e -> copy.set(e.getKey(), resolve(spec, e.getValue(), refs, where, depth + 1, budget)));
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> copy.add(resolve(spec, item, refs, where, depth + 1, budget)));
            return copy;
        }
        return node;
    }
}
