package dev.herald.delivery;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Remembers the last claim that left endpoints out and came back with fewer rows than it asked for: it saw every
 * claimable row of all the other endpoints. Such a claim reads past every due row of the endpoints it leaves out (only
 * that walk finds the others' rows behind them), so behind one endpoint's backlog of a million due deliveries it took
 * 0.1–1.5 s to find nothing, a few times a second (BENCHMARKS.md, session 23).
 *
 * <p>Until a row may have become claimable, a claim that leaves out the same endpoints (or more) can find only rows that
 * came due by time since, which the poll is for. So it is skipped unless work was signalled since the dry claim began
 * ({@link dev.herald.queue.QueueSignal#workSignals()}), this node made rows due ({@link #forget}) or publishing wrote
 * due rows of an endpoint the claim includes ({@link #queued}); and it is made again only once a poll interval has
 * passed since the dry claim began and at least {@link #COST_FACTOR} times its duration since it ended, so such scans
 * take at most a tenth of the dispatcher's time, however large the backlog left out. A claim that includes an endpoint
 * the dry one left out is never skipped, and none is while rows this node deferred for throttling still come due
 * ({@link #deferred}). Dispatcher thread only.
 */
final class DryClaims {
    /** A dry claim is repeated, without new work, no sooner than this many times its own duration after it. */
    static final int COST_FACTOR = 9;

    private final long pollNanos;
    /** The endpoints the dry claim left out; null when none is known. */
    private Set<String> leftOut;
    /** Endpoints given due rows since the dry claim began (see {@link #queued}). */
    private final Set<String> queuedSince = new HashSet<>();
    private long workSignalsBefore;
    private long repeatAt;
    /** Until when rows deferred by this node come due, and one poll interval more (System.nanoTime). */
    private long deferredDueUntil;
    private boolean deferring;

    DryClaims(Duration pollInterval) {
        this.pollNanos = pollInterval.toNanos();
    }

    /** Whether a claim leaving out {@code excluded} now would only repeat the last dry claim. */
    boolean wouldRepeat(Collection<String> excluded, long workSignals, long nowNanos) {
        if (deferring && nowNanos - deferredDueUntil < 0) return false;
        deferring = false;
        return leftOut != null && workSignals == workSignalsBefore && nowNanos - repeatAt < 0 && excluded.containsAll(leftOut)
                && excluded.containsAll(queuedSince);
    }

    /**
     * Notes a claim made between {@code startNanos} and {@code endNanos} with {@code workSignalsBefore} read before it.
     * A claim that took all it asked for says nothing of the rows it did not reach, and one that left no endpoint out
     * is cheap: both leave what is known as it was.
     */
    void claimed(Collection<String> excluded, int limit, int claimed, long workSignalsBefore, long startNanos, long endNanos) {
        if (excluded.isEmpty() || claimed >= limit) return;
        this.leftOut = Set.copyOf(excluded);
        this.queuedSince.clear();
        this.workSignalsBefore = workSignalsBefore;
        long afterPoll = startNanos + pollNanos;
        long afterCost = endNanos + COST_FACTOR * (endNanos - startNanos);
        this.repeatAt = afterPoll - afterCost > 0 ? afterPoll : afterCost;
    }

    /** This node made rows due (handed back, released, made due again): the next claim looks for them. */
    void forget() {
        leftOut = null;
        queuedSince.clear();
    }

    /**
     * Publishing wrote due rows of {@code endpointId} without a wake (its endpoint was held back): a claim that includes
     * it may find them, one that leaves it out cannot.
     */
    void queued(String endpointId) {
        if (leftOut != null) queuedSince.add(endpointId);
    }

    /**
     * This node put rows back due at {@code dueNanos} (a throttle's next slot): until then, and a poll interval more, no
     * claim is skipped, so that those the poll (or a throttle's wake) finds are sent at the throttle's pace however
     * long a dry claim took.
     */
    void deferred(long dueNanos) {
        long until = dueNanos + pollNanos;
        if (!deferring || until - deferredDueUntil > 0) deferredDueUntil = until;
        deferring = true;
    }
}
