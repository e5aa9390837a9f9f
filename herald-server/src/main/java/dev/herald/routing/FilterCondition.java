package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** One node of a parsed filter; a tree of these is what {@link PayloadFilter#decide} walks. */
sealed interface FilterCondition {

    /**
     * Whether the view passes, three-valued: null when a {@code $regex} search the shared budget cut short could have
     * changed the answer (see {@link MeteredMatch#cutShort}; without a budget that counts them, never null). A part
     * decided either way decides as it would have: {@code $and} with a false part is false, {@code $or} with a true
     * part true, whatever the search cut short would have said.
     */
    Boolean decide(JsonNode view);

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
        public Boolean decide(JsonNode view) {
            Boolean all = Boolean.TRUE;
            for (FilterCondition part : parts) {
                Boolean decided = part.decide(view);
                if (Boolean.FALSE.equals(decided)) return false;
                if (decided == null) all = null;
            }
            return all;
        }
    }

    /** {@code $or}: some part matches. */
    final class AnyOf implements FilterCondition {
        private final FilterCondition[] parts;

        AnyOf(List<FilterCondition> parts) {
            this.parts = parts.toArray(FilterCondition[]::new);
        }

        @Override
        public Boolean decide(JsonNode view) {
            Boolean any = Boolean.FALSE;
            for (FilterCondition part : parts) {
                Boolean decided = part.decide(view);
                if (Boolean.TRUE.equals(decided)) return true;
                if (decided == null) any = null;
            }
            return any;
        }
    }

    /** {@code $not} over a whole filter: plain logical negation, so it matches when the inner filter's fields are absent. */
    final class NotFilter implements FilterCondition {
        private final FilterCondition inner;

        NotFilter(FilterCondition inner) {
            this.inner = inner;
        }

        @Override
        public Boolean decide(JsonNode view) {
            Boolean decided = inner.decide(view);
            return decided == null ? null : !decided;
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

        /** Some value passing decides; otherwise a value whose search was cut short leaves it open. */
        @Override
        public Boolean decide(JsonNode view) {
            long cutBefore = MeteredMatch.cutShort();
            if (path.anyValue(view, test)) return true;
            return MeteredMatch.cutShort() > cutBefore ? null : Boolean.FALSE;
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
        public Boolean decide(JsonNode view) {
            if (!path.isPresent(view)) return false;
            Boolean decided = inner.decide(view);
            return decided == null ? null : !decided;
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
        public Boolean decide(JsonNode view) {
            return path.isPresent(view) == expected;
        }
    }
}
