package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Equality and ordering of JSON values as a filter sees them: numbers compare by value whatever
 * their Java type (1 equals 1.0, a BigDecimal equals a long), everything else by JSON type and content.
 */
final class JsonValues {

    /** Doubles hold integers exactly only up to 2^53; beyond that a long must not be squeezed into one. */
    private static final long EXACT_DOUBLE_LIMIT = 1L << 53;

    private JsonValues() {}

    static boolean equal(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return compareNumbers(a, b) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        return switch (a.getNodeType()) {
            case STRING -> a.textValue().equals(b.textValue());
            case BOOLEAN -> a.booleanValue() == b.booleanValue();
            case NULL -> true;
            case ARRAY -> equalArrays(a, b);
            case OBJECT -> equalObjects(a, b);
            default -> a.equals(b);
        };
    }

    /** True when both are numbers or both are strings: the only pairs $gt and friends can order. */
    static boolean comparable(JsonNode a, JsonNode b) {
        return (a.isNumber() && b.isNumber()) || (a.isTextual() && b.isTextual());
    }

    /** Orders two values for which {@link #comparable} holds: numerically, or strings lexicographically. */
    static int compare(JsonNode a, JsonNode b) {
        return a.isNumber() ? compareNumbers(a, b) : a.textValue().compareTo(b.textValue());
    }

    static int compareNumbers(JsonNode a, JsonNode b) {
        if (isLong(a) && isLong(b)) {
            return Long.compare(a.longValue(), b.longValue());
        }
        if (needsDecimal(a) || needsDecimal(b)) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        double x = a.doubleValue();
        double y = b.doubleValue();
        // not Double.compare: that one orders -0.0 before 0.0, JSON does not
        return x < y ? -1 : (x > y ? 1 : 0);
    }

    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    private static boolean needsDecimal(JsonNode n) {
        if (n.isBigDecimal() || n.isBigInteger()) {
            return true;
        }
        return n.isIntegralNumber() && Math.abs(n.longValue()) > EXACT_DOUBLE_LIMIT;
    }

    private static boolean equalArrays(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!equal(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean equalObjects(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> field : a.properties()) {
            JsonNode other = b.get(field.getKey());
            if (other == null || !equal(field.getValue(), other)) {
                return false;
            }
        }
        return true;
    }
}
