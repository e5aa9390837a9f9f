package dev.herald.routing;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import com.networknt.schema.regex.RegularExpressions;
import java.util.regex.Pattern;

/**
 * The library's JDK regex support for {@code pattern} and {@code patternProperties}, with the same
 * ECMA-262 adjustments, but searched on a step budget: schema validation runs inside a publish request,
 * and one pathological pattern must not hold that thread. A search over budget counts as "no match",
 * so the payload is reported as not matching the pattern.
 */
final class SchemaRegexFactory implements RegularExpressionFactory {

    /** About 200 ms of backtracking; a linear pattern over a 1 MiB payload string needs a few million steps. */
    static final long MAX_STEPS = 10_000_000;

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(
                RegularExpressions.replaceLongformCharacterProperties(RegularExpressions.replaceDollarAnchors(regex)));
        return value -> MeteredMatch.find(pattern, value, MAX_STEPS);
    }
}
