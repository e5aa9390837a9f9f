package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.routing.CompareTest.Operator;
import dev.herald.routing.FilterCondition.AnyOf;
import dev.herald.routing.FilterCondition.FieldExists;
import dev.herald.routing.FilterCondition.FieldMatches;
import dev.herald.routing.FilterCondition.FieldNot;
import dev.herald.routing.FilterCondition.NotFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a filter document into a {@link FilterCondition} tree, rejecting anything it cannot run.
 *
 * <p>Locations in messages are the way down to the problem: a field path ({@code payload.a}), with
 * logical operators in front when nested ({@code $or[1].payload.a}), or "the top level".
 * One parser serves one document: it counts that document's conditions.
 */
final class FilterParser {

    static final int MAX_DEPTH = 10;
    static final int MAX_CONDITIONS = 100;

    /** The fields of the message view; a path starting elsewhere is a typo that would never match. */
    static final Set<String> VIEW_FIELDS = Set.of("eventType", "channels", "payload");

    private static final Set<String> FIELD_OPERATORS =
            Set.of("$eq", "$neq", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$exists", "$regex", "$not");
    private static final Set<String> FILTER_OPERATORS = Set.of("$and", "$or", "$not");

    private int conditions;

    FilterCondition parse(JsonNode filter) {
        if (filter == null || !filter.isObject()) {
            throw new InvalidFilterException("filter must be a JSON object");
        }
        return filter(filter, "", 1);
    }

    private FilterCondition filter(JsonNode object, String location, int depth) {
        checkDepth(depth, location);
        List<FilterCondition> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            String key = entry.getKey();
            if (key.startsWith("$")) {
                parts.add(logical(key, entry.getValue(), location, depth));
            } else {
                parts.add(field(key, entry.getValue(), location, depth));
            }
        }
        return FilterCondition.allOf(parts);
    }

    private FilterCondition logical(String operator, JsonNode value, String location, int depth) {
        switch (operator) {
            case "$and", "$or" -> {
                if (!value.isArray() || value.isEmpty()) {
                    throw invalid(operator + " at " + describe(location) + " must be a non-empty array of filters");
                }
                List<FilterCondition> parts = new ArrayList<>();
                for (int i = 0; i < value.size(); i++) {
                    String where = join(location, operator + "[" + i + "]");
                    if (!value.get(i).isObject()) {
                        throw invalid(where + " must be a filter object");
                    }
                    parts.add(filter(value.get(i), where, depth + 1));
                }
                return operator.equals("$and") ? FilterCondition.allOf(parts) : new AnyOf(parts);
            }
            case "$not" -> {
                String where = join(location, "$not");
                if (!value.isObject()) {
                    throw invalid(where + " must be a filter object");
                }
                return new NotFilter(filter(value, where, depth + 1));
            }
            default -> {
                if (FIELD_OPERATORS.contains(operator)) {
                    throw invalid("operator " + operator + " at " + describe(location)
                            + " must be applied to a field, like {\"payload.x\": {\"" + operator + "\": …}}");
                }
                throw invalid("unknown operator " + operator + " at " + describe(location));
            }
        }
    }

    private FilterCondition field(String key, JsonNode condition, String location, int depth) {
        String where = join(location, key);
        FieldPath path = path(key, where);
        if (isOperatorObject(condition, where)) {
            return operators(path, condition, where, depth + 1);
        }
        countCondition();
        return new FieldMatches(path, new EqualsTest(condition));
    }

    private static FieldPath path(String key, String where) {
        FieldPath path;
        try {
            path = FieldPath.parse(key);
        } catch (IllegalArgumentException e) {
            throw invalid("invalid path " + where + ": dotted paths cannot have empty segments");
        }
        if (!VIEW_FIELDS.contains(path.root())) {
            throw invalid("unknown field " + where + ": paths start with eventType, channels or payload");
        }
        return path;
    }

    /** An object whose keys are all operators; an object without any is a literal to compare with. */
    private static boolean isOperatorObject(JsonNode condition, String where) {
        if (!condition.isObject()) {
            return false;
        }
        int operators = 0;
        for (Map.Entry<String, JsonNode> entry : condition.properties()) {
            if (entry.getKey().startsWith("$")) {
                operators++;
            }
        }
        if (operators > 0 && operators < condition.size()) {
            throw invalid("condition at " + where + " mixes operators and plain fields");
        }
        return operators > 0;
    }

    private FilterCondition operators(FieldPath path, JsonNode object, String where, int depth) {
        checkDepth(depth, where);
        List<FilterCondition> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : object.properties()) {
            parts.add(operator(path, entry.getKey(), entry.getValue(), where, depth));
        }
        return FilterCondition.allOf(parts);
    }

    private FilterCondition operator(FieldPath path, String operator, JsonNode operand, String where, int depth) {
        if (operator.equals("$not")) {
            if (!operand.isObject() || operand.isEmpty() || !isOperatorObject(operand, where)) {
                throw invalid("$not at " + where + " must be an operator object, like {\"$not\": {\"$eq\": 1}}");
            }
            return new FieldNot(path, operators(path, operand, where, depth + 1));
        }
        countCondition();
        return switch (operator) {
            case "$eq" -> new FieldMatches(path, new EqualsTest(operand));
            case "$neq" -> new FieldNot(path, new FieldMatches(path, new EqualsTest(operand)));
            case "$in" -> new FieldMatches(path, new InTest(array(operator, operand, where)));
            case "$nin" -> new FieldNot(path, new FieldMatches(path, new InTest(array(operator, operand, where))));
            case "$gt" -> compare(path, Operator.GT, operator, operand, where);
            case "$gte" -> compare(path, Operator.GTE, operator, operand, where);
            case "$lt" -> compare(path, Operator.LT, operator, operand, where);
            case "$lte" -> compare(path, Operator.LTE, operator, operand, where);
            case "$exists" -> {
                if (!operand.isBoolean()) {
                    throw invalid("$exists at " + where + " must be true or false");
                }
                yield new FieldExists(path, operand.booleanValue());
            }
            case "$regex" -> new FieldMatches(path, new RegexTest(regex(operand, where)));
            default -> {
                if (FILTER_OPERATORS.contains(operator)) {
                    throw invalid("operator " + operator + " at " + where
                            + " combines filters and cannot be applied to a field");
                }
                throw invalid("unknown operator " + operator + " at " + where);
            }
        };
    }

    private static JsonNode array(String operator, JsonNode operand, String where) {
        if (!operand.isArray()) {
            throw invalid(operator + " at " + where + " must be an array");
        }
        return operand;
    }

    private static FilterCondition compare(FieldPath path, Operator operator, String name, JsonNode operand, String where) {
        if (!operand.isNumber() && !operand.isTextual()) {
            throw invalid(name + " at " + where + " must be a number or a string");
        }
        return new FieldMatches(path, new CompareTest(operator, operand));
    }

    private static BoundedRegex regex(JsonNode operand, String where) {
        if (!operand.isTextual()) {
            throw invalid("$regex at " + where + " must be a string");
        }
        try {
            return BoundedRegex.compile(operand.textValue());
        } catch (IllegalArgumentException e) {
            throw invalid("invalid $regex at " + where + ": " + e.getMessage());
        }
    }

    private void countCondition() {
        if (++conditions > MAX_CONDITIONS) {
            throw invalid("filter has more than " + MAX_CONDITIONS + " conditions");
        }
    }

    private static void checkDepth(int depth, String location) {
        if (depth > MAX_DEPTH) {
            throw invalid("filter is nested deeper than " + MAX_DEPTH + " levels at " + describe(location));
        }
    }

    private static String join(String location, String step) {
        return location.isEmpty() ? step : location + "." + step;
    }

    private static String describe(String location) {
        return location.isEmpty() ? "the top level" : location;
    }

    private static InvalidFilterException invalid(String message) {
        return new InvalidFilterException(message);
    }
}
