package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code $eq} and plain-value conditions. */
final class EqualsTest implements ValueTest {
    private final JsonNode expected;

    EqualsTest(JsonNode expected) {
        this.expected = expected;
    }

    @Override
    public boolean test(JsonNode value) {
        return JsonValues.equal(value, expected);
    }
}
