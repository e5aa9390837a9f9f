package dev.herald.routing;

import java.util.regex.Pattern;

/**
 * Runs a regex search on a step budget, so a user-written pattern with catastrophic backtracking
 * ({@code (.*a){12}b} needs no long input) gives up instead of stalling a thread.
 *
 * <p>The input is read through a {@link CharSequence} that counts character reads, about one per
 * backtracking step; past the budget, or past the stack's depth, the search ends as "no match".
 */
final class MeteredMatch {

    private MeteredMatch() {}

    /**
     * True when the pattern occurs in the input within {@code maxSteps} character reads. A pattern whose matching
     * recurses once per repetition ({@code (a|bc)*} on a long run of a's) overflows the thread's stack long before the
     * budget: that too ends as "no match" (uncaught, the error failed the whole publish batch the filter ran in).
     */
    static boolean find(Pattern pattern, String input, long maxSteps) {
        long[] shared = SHARED_BUDGET.get();
        boolean sharedBinds = shared != null && shared[0] < maxSteps;
        var text = new MeteredText(input, sharedBinds ? shared[0] : maxSteps);
        try {
            return pattern.matcher(text).find();
        } catch (BudgetExhausted e) {
            // cut short by the shared budget, the search decided nothing: counted where the caller asked for it (a
            // search past its own budget is "no match", as a pattern that cannot be searched)
            if (sharedBinds && shared.length > 1) shared[1]++;
            return false;
        } catch (StackOverflowError e) {
            return false;
        } finally {
            if (shared != null) shared[0] = Math.max(0, shared[0] - text.steps);
        }
    }

    /**
     * Steps left to the searches of one piece of work on this thread (a payload's validation), beside each search's
     * own budget: a schema's pattern applied to each of 20,000 strings of one payload spent its budget 20,000 times.
     */
    private static final ThreadLocal<long[]> SHARED_BUDGET = new ThreadLocal<>();

    /** Runs {@code work} with {@code steps} shared by every search it makes on this thread; past them, each is "no match". */
    static <T> T withSharedBudget(long steps, java.util.function.Supplier<T> work) {
        return withSharedBudget(new long[] {steps}, work);
    }

    /** {@link #withSharedBudget(long, java.util.function.Supplier)} spending {@code budget[0]}, which outlives the call. */
    static <T> T withSharedBudget(long[] budget, java.util.function.Supplier<T> work) {
        long[] outer = SHARED_BUDGET.get();
        SHARED_BUDGET.set(budget);
        try {
            return work.get();
        } finally {
            if (outer == null) SHARED_BUDGET.remove(); else SHARED_BUDGET.set(outer);
        }
    }

    /**
     * How many searches the shared budget has cut short on this thread so far, when the budget was given with a second
     * element to count them in ({@code {steps, 0}}); 0 otherwise.
     */
    static long cutShort() {
        long[] shared = SHARED_BUDGET.get();
        return shared == null || shared.length < 2 ? 0 : shared[1];
    }

    /** Thrown from deep inside the regex engine; shared and stackless because it only unwinds. */
    private static final class BudgetExhausted extends RuntimeException {
        static final BudgetExhausted INSTANCE = new BudgetExhausted();

        private BudgetExhausted() {
            super("regex step budget exhausted", null, false, false);
        }
    }

    private static final class MeteredText implements CharSequence {
        private final String text;
        private final long maxSteps;
        private long steps;

        MeteredText(String text, long maxSteps) {
            this.text = text;
            this.maxSteps = maxSteps;
        }

        @Override
        public char charAt(int index) {
            if (++steps > maxSteps) {
                throw BudgetExhausted.INSTANCE;
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
