package dev.herald.routing;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A filter's {@code $regex}: written by API users and run on every message, so it is bounded three ways:
 * pattern length, input length, and a backtracking budget (see {@link MeteredMatch}).
 */
final class BoundedRegex {

    static final int MAX_PATTERN_LENGTH = 256;
    static final int MAX_INPUT_LENGTH = 10_000;
    /** About 20 ms of backtracking on a warm JVM; an ordinary search over 10,000 characters needs far fewer. */
    static final int MAX_STEPS = 1_000_000;

    private final Pattern pattern;

    private BoundedRegex(Pattern pattern) {
        this.pattern = pattern;
    }

    /** @throws IllegalArgumentException naming the problem when the pattern is too long or not a valid regex */
    static BoundedRegex compile(String source) {
        if (source.length() > MAX_PATTERN_LENGTH) {
            throw new IllegalArgumentException("pattern longer than " + MAX_PATTERN_LENGTH + " characters");
        }
        try {
            return new BoundedRegex(Pattern.compile(source));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getDescription() + " near index " + e.getIndex());
        }
    }

    /**
     * True when the pattern occurs somewhere in the input (like MongoDB's $regex, not a full match);
     * false for inputs over {@link #MAX_INPUT_LENGTH} and searches that run out of budget.
     */
    boolean find(String input) {
        return input.length() <= MAX_INPUT_LENGTH && MeteredMatch.find(pattern, input, MAX_STEPS);
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
