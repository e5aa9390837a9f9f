package dev.herald.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Numbers in JSON Herald stores as {@code jsonb} (an endpoint's filter and transformation, an event type's schemas):
 * jsonb keeps a number as {@code numeric} and writes it out in full, so {@code 1e100000}, eight characters in a request,
 * came back as 100,001 on every read of its row (each publish to the app, each claimed delivery), and a few thousand
 * of them made one row hundreds of megabytes. Each number may take as many digits as any double's (4.9e-324 is 325),
 * and all of one document's together a bounded number.
 */
final class StoredJsonNumbers {
    static final int MAX_DIGITS = 400;
    static final int MAX_DIGITS_IN_ALL = 100_000;

    private StoredJsonNumbers() {}

    /** Why {@code node}'s numbers would be too long stored, naming the first too long; empty when they are not. */
    static Optional<String> problem(JsonNode node) {
        long[] inAll = {0};
        return problem(node, inAll);
    }

    private static Optional<String> problem(JsonNode node, long[] inAll) {
        if (node.isNumber()) {
            long digits = node.isBigDecimal() ? writtenOutLength(node.decimalValue()) : node.asText().length();
            if (digits > MAX_DIGITS) {
                return Optional.of("numbers must be at most " + MAX_DIGITS + " digits written out, as stored; "
                        + node.decimalValue().stripTrailingZeros() + " has " + digits);
            }
            inAll[0] += digits;
            if (inAll[0] > MAX_DIGITS_IN_ALL) {
                return Optional.of("numbers must be at most " + MAX_DIGITS_IN_ALL + " digits written out in all, as stored");
            }
            return Optional.empty();
        }
        for (JsonNode child : node) {
            Optional<String> problem = problem(child, inAll);
            if (problem.isPresent()) return problem;
        }
        return Optional.empty();
    }

    /** The digits PostgreSQL writes for the number (1e5: 100000, 1e-3: 0.001), without building them. */
    static long writtenOutLength(BigDecimal number) {
        long beforePoint = Math.max((long) number.precision() - number.scale(), 1);
        long afterPoint = Math.max(number.scale(), 0);
        return beforePoint + afterPoint;
    }
}
