package dev.herald.routing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.domain.Endpoint;
import dev.herald.logging.LogThrottle;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies endpoints' payload filters at fan-out. Each filter is parsed once, not once per message: cached
 * by endpoint id and reused while the stored filter text is the same (an updatedAt version would miss two
 * edits within one clock tick, as with a test's fixed clock). A message's view is built only when some
 * endpoint has a filter.
 *
 * <p>Filters run on the node's one publish writer, inside its transaction, so one filter's {@code $regex} searches on
 * one message share one budget ({@link #FILTER_REGEX_STEPS}): each search had a budget of its own, and a search repeated
 * over each element of an array, under each of a filter's conditions, stalled every tenant's publishing for minutes.
 * The budget is the filter's own, so no endpoint's filter spends another's. A filter that runs out lets the message
 * through to nobody, as a filter that cannot run; it then lets nothing through for the next message, then two,
 * doubling while it keeps running out (at most {@link #MAX_SKIPPED}; a run within the budget halves it again), so a
 * filter written to stall the writer costs one cut-short run in a thousand messages. An application's filters together
 * draw on its {@link RegexAllowance} besides: past it, a filter's searches are cut short, and where that leaves the
 * filter undecided the message goes to that endpoint unfiltered, the filter not made to skip. Running out of its own
 * budget is the filter's doing, on that message; the allowance runs out with load, which is to cost no endpoint a
 * message it asked for. A filter is evaluated three-valued ({@link PayloadFilter#decide}): a search cut short decides
 * nothing, but does not undo what the rest decided. Replays ({@link #passesReplaying}) neither skip nor count.
 */
public final class EndpointFilters {
    private static final Logger log = LoggerFactory.getLogger(EndpointFilters.class);

    /** The regex steps one filter may take on one message, all its searches together: about 40 ms. */
    static final long FILTER_REGEX_STEPS = 2 * BoundedRegex.MAX_STEPS;
    /** The most messages a filter that keeps running out lets nothing through before it is run again. */
    static final int MAX_SKIPPED = 1_000;

    private final VersionedCache<Optional<PayloadFilter>> parsed = new VersionedCache<>();
    private final RegexAllowance allowance;
    private final LogThrottle allowanceLog = new LogThrottle(Duration.ofMinutes(1));
    /**
     * Endpoints whose filter ran out of steps lately: messages still to skip, how many the next run-out skips, and the
     * filter's text (an edited filter starts afresh).
     */
    private final ConcurrentHashMap<String, Skips> skipping = new ConcurrentHashMap<>();

    private record Skips(int left, int next, String filterJson) {}

    public EndpointFilters(Clock clock) {
        this.allowance = new RegexAllowance(clock);
    }

    /** One message as filters see it, parsed on first use (most endpoints have no filter). */
    public static final class View {
        private final String eventType;
        private final Set<String> channels;
        private final String payload;
        private JsonNode view;
        /** The regex steps this message's filters took, every endpoint's together. */
        private long regexStepsSpent;

        public View(String eventType, Set<String> channels, String payload) {
            this.eventType = eventType;
            this.channels = channels;
            this.payload = payload;
        }

        long regexStepsSpent() {
            return regexStepsSpent;
        }

        JsonNode get() {
            if (view == null) {
                view = MessageView.of(eventType, channels, payload == null ? null : PayloadJson.parse(payload));
            }
            return view;
        }
    }

    /** Whether the endpoint's filter (if any) lets the message through; its type and channel rules are checked elsewhere. */
    public boolean passes(Endpoint endpoint, View message) {
        return passes(endpoint, message, true);
    }

    /**
     * {@link #passes} for a replay (a background task's, off the publish writer): a filter that is skipping messages
     * still decides these, and one that runs out here is not made to skip live messages.
     */
    public boolean passesReplaying(Endpoint endpoint, View message) {
        return passes(endpoint, message, false);
    }

    private boolean passes(Endpoint endpoint, View message, boolean live) {
        if (endpoint.filterJson() == null) return true;
        Optional<PayloadFilter> filter = parsed.get(endpoint.id(), endpoint.filterJson(), () -> parse(endpoint));
        // a stored filter this version cannot run lets nothing through: it was written to hold messages back
        if (filter.isEmpty() || (live && skipsThisMessage(endpoint))) return false;
        // at least one step, so that a filter without searches is never taken for one that ran out
        long budget = live ? Math.max(1, Math.min(FILTER_REGEX_STEPS, allowance.available(endpoint.appId())))
                : FILTER_REGEX_STEPS;
        long[] steps = {budget, 0}; // steps left, searches cut short
        Boolean decided = MeteredMatch.withSharedBudget(steps, () -> filter.get().decide(message.get()));
        message.regexStepsSpent += budget - steps[0];
        if (live) allowance.spend(endpoint.appId(), budget - steps[0]);
        if (steps[0] == 0) {
            // its own budget spent, or the application's allowance with the filter already known to run out of its
            // own: the filter's doing, which makes it skip (a filter that runs out on every message would otherwise
            // spend the whole allowance, and leave the application's other filters none, once it was drained)
            boolean filtersDoing = budget == FILTER_REGEX_STEPS || knownToRunOut(endpoint);
            if (live && filtersDoing) ranOut(endpoint);
            else if (live) applicationRanOut(endpoint);
            // the searches cut short may not have mattered ($and with a false part): then the filter decided
            if (decided != null) return decided;
            // they did. The allowance runs out with load, which is not to cost an endpoint a message it asked for: the
            // message goes to it unfiltered (the endpoint is the application's own). A filter that cannot be run on
            // the message within its own budget decides nothing: $not of a search cut short would let everything by
            return live && !filtersDoing;
        }
        // a run within the budget halves the next skip, rather than forgiving at once: a filter that runs out on every
        // message carrying some field, and on no other, is not reset by the messages in between
        if (live && !skipping.isEmpty()) {
            skipping.computeIfPresent(endpoint.id(), (id, skips) -> skips.next() <= 2 ? null
                    : new Skips(0, skips.next() / 2, skips.filterJson()));
        }
        // never null here: a search cut short empties the shared budget (steps[0] == 0 above); were it ever, "no" and
        // not a NullPointerException in the publish writer, which would fail every publish of its batch
        return Boolean.TRUE.equals(decided);
    }

    /** Whether the endpoint's filter, as it is now, ran out of its own budget lately (see {@link #ranOut}). */
    private boolean knownToRunOut(Endpoint endpoint) {
        Skips skips = skipping.isEmpty() ? null : skipping.get(endpoint.id());
        return skips != null && skips.filterJson().equals(endpoint.filterJson());
    }

    private boolean skipsThisMessage(Endpoint endpoint) {
        if (skipping.isEmpty()) return false;
        boolean[] skip = {false};
        skipping.computeIfPresent(endpoint.id(), (id, skips) -> {
            if (!skips.filterJson().equals(endpoint.filterJson())) return null; // edited since: run it
            if (skips.left() == 0) return skips;
            skip[0] = true;
            return new Skips(skips.left() - 1, skips.next(), skips.filterJson());
        });
        return skip[0];
    }

    private void ranOut(Endpoint endpoint) {
        var skips = skipping.merge(endpoint.id(), new Skips(1, 2, endpoint.filterJson()),
                (old, first) -> old.filterJson().equals(first.filterJson())
                        ? new Skips(old.next(), Math.min(MAX_SKIPPED, old.next() * 2), old.filterJson()) : first);
        log.warn("endpoint {}: its filter's $regex searches took more than {} steps on one message, which it was not"
                + " sent; its filter lets the next {} message(s) through to nobody", endpoint.id(), FILTER_REGEX_STEPS,
                skips.left());
    }

    /** Cut short by the application's allowance, not its own budget: the filter is not made to skip messages. */
    private void applicationRanOut(Endpoint endpoint) {
        long leftOut = allowanceLog.admit();
        if (leftOut < 0) return;
        log.warn("application {}: its endpoints' filters took more $regex steps than it is allowed ({} a second, {} at"
                + " once); endpoint {}'s filter was cut short, and the message sent to it unfiltered where that left it"
                + " undecided{}", endpoint.appId(),
                RegexAllowance.PER_SECOND, RegexAllowance.CAPACITY, endpoint.id(), LogThrottle.leftOutNote(leftOut));
    }

    private static Optional<PayloadFilter> parse(Endpoint endpoint) {
        try {
            return Optional.of(PayloadFilter.parse(PayloadJson.parse(endpoint.filterJson())));
        } catch (RuntimeException e) {
            log.warn("endpoint {} has a filter that cannot be used; it receives no messages until fixed: {}",
                    endpoint.id(), e.getMessage());
            return Optional.empty();
        }
    }
}
