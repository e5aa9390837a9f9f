package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One node of a parsed filter; a tree of these is what {@link PayloadFilter#matches} walks. */
sealed interface FilterCondition {

    boolean test(JsonNode view);

    static FilterCondition allOf(List<FilterCondition> parts) {
        return parts.size() == 1 ? parts.get(0) : new AllOf(parts.toArray(FilterCondition[]::new));
    }

    /** A filter object ($and, or several keys): every part matches. An empty one matches everything. */
    final class AllOf implements FilterCondition {
        private final FilterCondition[] parts;

        AllOf(FilterCondition[] parts) {
            this.parts = parts;
        }

        @Override
        public boolean test(JsonNode view) {
            for (FilterCondition part : parts) {
                if (!part.test(view)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@code $or}: some part matches. */
    final class AnyOf implements FilterCondition {
        private final FilterCondition[] parts;

        AnyOf(List<FilterCondition> parts) {
            this.parts = parts.toArray(FilterCondition[]::new);
        }

        @Override
        public boolean test(JsonNode view) {
            for (FilterCondition part : parts) {
                if (part.test(view)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code $not} over a whole filter: plain logical negation, so it matches when the inner filter's fields are absent. */
    final class NotFilter implements FilterCondition {
        private final FilterCondition inner;

        NotFilter(FilterCondition inner) {
            this.inner = inner;
        }

        @Override
        public boolean test(JsonNode view) {
            return !inner.test(view);
        }
    }

    /** A positive test on a field: the field is present and some value of it passes. */
    final class FieldMatches implements FilterCondition {
        private final FieldPath path;
        private final ValueTest test;

        FieldMatches(FieldPath path, ValueTest test) {
            this.path = path;
            this.test = test;
        }

        @Override
        public boolean test(JsonNode view) {
            return path.anyValue(view, test);
        }
    }

    /**
     * {@code $neq}, {@code $nin} and a field's {@code $not}: the field is present and the inner condition
     * fails. Presence is required so that only {@code $exists: false} ever matches a missing field.
     */
    final class FieldNot implements FilterCondition {
        private final FieldPath path;
        private final FilterCondition inner;

        FieldNot(FieldPath path, FilterCondition inner) {
            this.path = path;
            this.inner = inner;
        }

        @Override
        public boolean test(JsonNode view) {
            return path.isPresent(view) && !inner.test(view);
        }
    }

    /** {@code $exists}. */
    final class FieldExists implements FilterCondition {
        private final FieldPath path;
        private final boolean expected;

        FieldExists(FieldPath path, boolean expected) {
            this.path = path;
            this.expected = expected;
        }

        @Override
        public boolean test(JsonNode view) {
            return path.isPresent(view) == expected;
        }
    }
}
