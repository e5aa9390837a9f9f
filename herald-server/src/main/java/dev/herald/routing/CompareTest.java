package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code $gt $gte $lt $lte}: numbers numerically, strings lexicographically, any other pair never matches. */
final class CompareTest implements ValueTest {

    enum Operator {
        GT, GTE, LT, LTE;

        boolean accepts(int comparison) {
            return switch (this) {
                case GT -> comparison > 0;
                case GTE -> comparison >= 0;
                case LT -> comparison < 0;
                case LTE -> comparison <= 0;
            };
        }
    }

    private final Operator operator;
    private final JsonNode bound;

    CompareTest(Operator operator, JsonNode bound) {
        this.operator = operator;
        this.bound = bound;
    }

    @Override
    public boolean test(JsonNode value) {
        return JsonValues.comparable(value, bound) && operator.accepts(JsonValues.compare(value, bound));
    }
}
