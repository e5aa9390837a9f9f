package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/** One positive test of a single JSON value ($eq, $in, $gt, $regex…); negations are built around it. */
@FunctionalInterface
interface ValueTest {
    boolean test(JsonNode value);
}
