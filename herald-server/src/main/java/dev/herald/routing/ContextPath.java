package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A dotted name in a template ({@code payload.items.0.id}) resolved against the render context: object
 * fields by name, array elements by index. Split once when the template is compiled.
 */
final class ContextPath {

    private final String[] names;

    /** {@code "."} is mustache's name for the whole context. */
    ContextPath(String dotted) {
        this.names = dotted.equals(".") ? new String[0] : dotted.split("\\.", -1);
    }

    /** The value the name leads to, or null when anything along the way is missing. */
    JsonNode resolve(JsonNode context) {
        JsonNode node = context;
        for (String name : names) {
            if (node == null) {
                return null;
            }
            node = node.isArray() ? element(node, name) : node.get(name);
        }
        return node;
    }

    private static JsonNode element(JsonNode array, String name) {
        try {
            return array.get(Integer.parseInt(name));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
