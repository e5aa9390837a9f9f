package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code $in}: the value equals one of the listed values. Strings, the common case, are looked up in a set. */
final class InTest implements ValueTest {
    private final Set<String> strings = new HashSet<>();
    private final JsonNode[] others;

    InTest(JsonNode candidates) {
        List<JsonNode> rest = new ArrayList<>();
        for (JsonNode candidate : candidates) {
            if (candidate.isTextual()) {
                strings.add(candidate.textValue());
            } else {
                rest.add(candidate);
            }
        }
        others = rest.toArray(JsonNode[]::new);
    }

    @Override
    public boolean test(JsonNode value) {
        if (value.isTextual()) {
            return strings.contains(value.textValue());
        }
        for (JsonNode other : others) {
            if (JsonValues.equal(value, other)) {
                return true;
            }
        }
        return false;
    }
}
