package dev.herald.delivery;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * Remembers the last claim that left endpoints out and came back with fewer rows than it asked for: it saw every
 * claimable row of all the other endpoints. Such a claim reads past every due row of the endpoints it leaves out (only
 * that walk finds the others' rows behind them), so behind one endpoint's backlog of a million due deliveries it took
 * 0.1–1.5 s to find nothing, a few times a second (BENCHMARKS.md, session 23).
 *
 * <p>Until a row may have become claimable, a claim that leaves out the same endpoints (or more) can find only rows that
 * came due by time since, which the poll is for. So it is skipped unless work was signalled since the dry claim
 * began ({@link dev.herald.queue.QueueSignal#workSignals()}, or this node made rows due: {@link #forget}), and made
 * again only once the poll interval has passed and at least {@link #COST_FACTOR} times the dry claim's duration: such
 * scans take at most a tenth of the dispatcher's time, however large the backlog left out. A claim that includes
 * another endpoint is never skipped. Dispatcher thread only.
 */
final class DryClaims {
    /** A dry claim is repeated, without new work, no sooner than this many times its own duration after it. */
    static final int COST_FACTOR = 9;

    private final Duration pollInterval;
    /** The endpoints the dry claim left out; null when none is known. */
    private Set<String> leftOut;
    private long workSignalsBefore;
    private long repeatAt;

    DryClaims(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** Whether a claim leaving out {@code excluded} now would only repeat the last dry claim. */
    boolean wouldRepeat(Collection<String> excluded, long workSignals, long nowNanos) {
        return leftOut != null && workSignals == workSignalsBefore && nowNanos - repeatAt < 0 && excluded.containsAll(leftOut);
    }

    /**
     * Notes a claim made between {@code startNanos} and {@code endNanos} with {@code workSignalsBefore} read before it.
     * A claim that took all it asked for says nothing of the rows it did not reach, and one that left no endpoint out
     * is cheap: both leave what is known as it was.
     */
    void claimed(Collection<String> excluded, int limit, int claimed, long workSignalsBefore, long startNanos, long endNanos) {
        if (excluded.isEmpty() || claimed >= limit) return;
        this.leftOut = Set.copyOf(excluded);
        this.workSignalsBefore = workSignalsBefore;
        this.repeatAt = endNanos + Math.max(pollInterval.toNanos(), COST_FACTOR * (endNanos - startNanos));
    }

    /** This node made rows due (handed back, released, made due again): the next claim looks for them. */
    void forget() {
        leftOut = null;
    }
}
