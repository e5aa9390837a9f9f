package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An endpoint's {@code filter}: decides whether a message goes to that endpoint.
 *
 * <p>The filter is matched against the message view {@code {"eventType": …, "channels": [...], "payload": {...}}}
 * (see {@link MessageView}). Its language follows MongoDB as e2a uses it:
 * <ul>
 *   <li>an object is an AND of its keys; keys are dotted paths starting with eventType, channels or payload;</li>
 *   <li>a plain value means equality ({@code {"payload.amount": 5}}); numbers compare by value (1 equals 1.0);</li>
 *   <li>operator objects: {@code $eq $neq $in $nin $gt $gte $lt $lte $exists $regex $not};
 *       {@code $gt} and friends order numbers, or strings lexicographically, and never match mixed types;</li>
 *   <li>{@code $and}/{@code $or} take non-empty arrays of filters, {@code $not} a filter (or, on a field,
 *       an operator object);</li>
 *   <li>arrays in the message match when any element does ({@code {"channels": "eu"}});</li>
 *   <li>a missing field fails every condition on it, {@code $neq} and {@code $nin} included:
 *       {@code $exists: false} is the only way to match absence. JSON null is a value, not absence.</li>
 * </ul>
 * Parsing validates everything up front and compiles the tree once, so {@link #matches} only walks it.
 * Instances are immutable and safe to share between threads.
 */
public final class PayloadFilter {

    private final FilterCondition condition;
    private final String source;

    private PayloadFilter(FilterCondition condition, String source) {
        this.condition = condition;
        this.source = source;
    }

    /**
     * @throws InvalidFilterException naming the bad operator or path: unknown operators, ill-typed operands,
     *     invalid or over-long regexes, nesting deeper than {@value FilterParser#MAX_DEPTH} levels, or more
     *     than {@value FilterParser#MAX_CONDITIONS} conditions
     */
    public static PayloadFilter parse(JsonNode filter) {
        FilterCondition condition = new FilterParser().parse(filter);
        return new PayloadFilter(condition, filter.toString());
    }

    /** Whether the message view passes the filter; a null view never does. */
    public boolean matches(JsonNode messageView) {
        // one evaluation for both: undecided (null) only where a budget counts searches cut short, and then "no"
        return Boolean.TRUE.equals(decide(messageView));
    }

    /** {@link #matches}, three-valued (see {@link FilterCondition#decide}): null when a search cut short left it open. */
    public Boolean decide(JsonNode messageView) {
        return messageView == null ? Boolean.FALSE : condition.decide(messageView);
    }

    /** The filter document as given. */
    @Override
    public String toString() {
        return source;
    }
}
