package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code $regex}: a string value in which the pattern is found; other types never match. */
final class RegexTest implements ValueTest {
    private final BoundedRegex regex;

    RegexTest(BoundedRegex regex) {
        this.regex = regex;
    }

    @Override
    public boolean test(JsonNode value) {
        return value.isTextual() && regex.find(value.textValue());
    }
}
