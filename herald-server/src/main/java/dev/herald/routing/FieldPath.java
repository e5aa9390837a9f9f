package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A dotted path into the message view ({@code payload.user.plan}, {@code payload.items.0.id}), split once
 * at parse time and walked without allocating.
 *
 * <p>Arrays follow MongoDB: a numeric segment indexes into an array; any other segment looks into each
 * element, so {@code payload.items.sku} reaches every item's sku; and a test on a value that is an array
 * passes if it passes for the whole array or for any element ({@code channels: "a"} matches ["a","b"]).
 */
final class FieldPath {

    private static final ValueTest ANY_VALUE = value -> true;

    private final String text;
    private final String[] names;
    /** The array index each segment names, or -1 when it is not a non-negative integer. */
    private final int[] indexes;

    private FieldPath(String text, String[] names, int[] indexes) {
        this.text = text;
        this.names = names;
        this.indexes = indexes;
    }

    /** @throws IllegalArgumentException when a segment is empty ({@code a..b}, a leading or trailing dot) */
    static FieldPath parse(String text) {
        String[] names = text.split("\\.", -1);
        int[] indexes = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            if (names[i].isEmpty()) {
                throw new IllegalArgumentException("empty segment");
            }
            indexes[i] = arrayIndex(names[i]);
        }
        return new FieldPath(text, names, indexes);
    }

    String root() {
        return names[0];
    }

    /** True when the path leads to at least one value (JSON null counts as a value). */
    boolean isPresent(JsonNode view) {
        return anyValue(view, ANY_VALUE);
    }

    /** True when the test passes for some value the path leads to. */
    boolean anyValue(JsonNode view, ValueTest test) {
        return visit(view, 0, test);
    }

    private boolean visit(JsonNode node, int segment, ValueTest test) {
        if (segment == names.length) {
            return testLeaf(node, test);
        }
        if (node.isObject()) {
            JsonNode child = node.get(names[segment]);
            return child != null && visit(child, segment + 1, test);
        }
        if (node.isArray()) {
            if (indexes[segment] >= 0) {
                JsonNode element = node.get(indexes[segment]);
                return element != null && visit(element, segment + 1, test);
            }
            for (int i = 0; i < node.size(); i++) {
                if (visit(node.get(i), segment, test)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean testLeaf(JsonNode value, ValueTest test) {
        if (test.test(value)) {
            return true;
        }
        if (value.isArray()) {
            for (int i = 0; i < value.size(); i++) {
                if (test.test(value.get(i))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int arrayIndex(String segment) {
        if (segment.length() > 9) {
            return -1;
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Integer.parseInt(segment);
    }

    @Override
    public String toString() {
        return text;
    }
}
