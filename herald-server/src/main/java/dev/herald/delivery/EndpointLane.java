package dev.herald.delivery;

import dev.herald.queue.ClaimedDelivery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One endpoint's share of this node: requests in flight (at most the lane's cap) and claimed deliveries
 * waiting for a slot (at most as many again). A finished request hands its slot straight to the next
 * waiting delivery, so a busy endpoint's pipeline stays full without a round trip to the database.
 *
 * <p>The cap adapts to the endpoint's response time. A lane starts at the slow cap; once the endpoint
 * answers fast on average it may use the full cap (a fast endpoint returns its slots at once, and on a
 * busy node more requests in flight hide the queueing in between); when its average response time rises
 * above a second it is held to the slow cap again, so a slow endpoint never takes many of the node's slots.
 *
 * <p>An endpoint that fails every request is stopped for a while by the lane's {@link CircuitBreaker}: while it
 * is open the lane takes no deliveries (its waiting ones go back to the queue) and starts none, then one probe.
 */
final class EndpointLane {
    /**
     * A claimed delivery with what sending it needs, read when it was claimed; {@code leaseUntil}: when its lease ends,
     * after which any node may claim it again.
     */
    record Pending(ClaimedDelivery delivery, List<String> secrets, String secretProblem, Instant leaseUntil) {}

    /** Below this average response time an endpoint is fast and may use the full cap. */
    static final long FAST_MS = 250;
    /** Above this it is slow and held to the slow cap. */
    static final long SLOW_MS = 1_000;
    /** Responses seen before a lane may leave the slow cap. */
    static final int WARM_UP = 16;

    private final int maxCap;
    private final int slowCap;
    private final CircuitBreaker breaker;
    private final EndpointPark park = new EndpointPark();
    private final PacedRows paced = new PacedRows();
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private int inFlight;
    private int cap;
    private double averageMs;
    private int observed;
    private long lastPaced;
    private boolean moreToMove;
    private Instant pacedThrough;
    private long lastAnswerNanos = System.nanoTime();

    EndpointLane(int cap) {
        this(cap, cap, CircuitBreaker.never());
    }

    EndpointLane(int maxCap, int slowCap) {
        this(maxCap, slowCap, CircuitBreaker.never());
    }

    EndpointLane(int maxCap, int slowCap, CircuitBreaker breaker) {
        this.maxCap = maxCap;
        this.slowCap = Math.min(slowCap, maxCap);
        this.cap = this.slowCap;
        this.breaker = breaker;
    }

    /** What became of a claimed delivery offered to the lane (see {@link #admit}). */
    enum Admission { STARTED, WAITING, FULL }

    /**
     * Starts a claimed delivery, or has it wait for a slot, or refuses it (back to the queue), in one step. As two
     * (a failed start, then a place in the queue) a request finishing in between found no one waiting and freed its
     * slot: the delivery then waited with nothing in flight to carry it on, until a later one started ahead of it.
     */
    synchronized Admission admit(Pending pending) {
        if (tryStart()) return Admission.STARTED;
        return offerWaiting(pending) ? Admission.WAITING : Admission.FULL;
    }

    synchronized boolean tryStart() {
        if (inFlight >= cap || !breaker.tryStart(inFlight + waiting.size())) return false;
        inFlight++;
        return true;
    }

    synchronized boolean offerWaiting(Pending pending) {
        if (waiting.size() >= cap) return false;
        waiting.add(pending);
        return true;
    }

    /** A request finished: returns the waiting delivery that takes over its slot, or null (slot freed). */
    synchronized Pending finishAndNext() {
        // over a lowered cap, or with the breaker not closed: free the slot instead
        Pending next = inFlight > cap || !breaker.closed() ? null : waiting.poll();
        if (next == null) inFlight--;
        return next;
    }

    /** A delivery finished with no request made: the breaker's probe, if it was one, told nothing (see the breaker). */
    void finishedUnsent() {
        breaker.probeUnsent();
    }

    /**
     * The endpoint is disabled: its deliveries are cancelled without a request, so there is nothing to hold back. The
     * breaker closes, the park is released, and the rest come due and are cancelled together (held, one was cancelled
     * per probe, and the lane stayed held for as long as the node ran).
     */
    void endpointDisabled() {
        breaker.reset();
    }

    /** A finished request: its response time (see {@link #observe(long)}) and, for the breaker, whether it succeeded. */
    synchronized void observe(long responseMs, boolean success) {
        breaker.record(success);
        observe(responseMs);
    }

    /** Records one response time (exponentially weighted average) and moves the cap between slow and full. */
    synchronized void observe(long responseMs) {
        lastAnswerNanos = System.nanoTime();
        averageMs = observed == 0 ? responseMs : averageMs * 0.9 + responseMs * 0.1;
        observed++;
        if (observed >= WARM_UP && averageMs < FAST_MS) {
            cap = maxCap;
        } else if (averageMs > SLOW_MS) {
            cap = slowCap;
        }
    }

    /** In flight plus waiting; at twice the cap the endpoint is left out of claims. */
    synchronized int load() {
        return inFlight + waiting.size();
    }

    /** How many more claimed deliveries this lane can hold now (in flight or waiting). */
    synchronized int room() {
        int load = inFlight + waiting.size();
        if (!breaker.closed()) return breaker.probeMayStart(load) ? 1 : 0;
        return Math.max(0, 2 * cap - load);
    }

    /** The breaker is open (or probing): this lane's deliveries are held back. */
    synchronized boolean held() {
        return !breaker.closed();
    }

    /** The breaker's probe is out. */
    synchronized boolean probing() {
        return breaker.probeOut();
    }

    /** Where the endpoint's deliveries wait while it is held (the dispatcher's thread only). */
    EndpointPark park() {
        return park;
    }

    /** The rows this lane's pacing moved ahead (the dispatcher's thread only). */
    PacedRows paced() {
        return paced;
    }

    /**
     * Answering well again after being slow: an average under half of {@link #SLOW_MS} (pacing begins above it, so an
     * endpoint near the line is not paced and released in turn) and no silence longer than that.
     */
    synchronized boolean recovered(long nowNanos) {
        return observed > 0 && averageMs < SLOW_MS / 2.0 && responseMs(nowNanos) <= SLOW_MS;
    }

    /** While {@link #held()}: when its deliveries are next worth claiming (see {@link CircuitBreaker#heldUntil}). */
    synchronized Instant heldUntil(Duration ifProbing) {
        return breaker.heldUntil(ifProbing);
    }

    synchronized int cap() {
        return cap;
    }

    /**
     * At the slow cap with every slot in flight and deliveries waiting for one, and slow: slower than {@link #SLOW_MS}
     * on average, or no answer for that long (an endpoint that hangs has no response time yet). Its due deliveries
     * can only wait.
     */
    synchronized boolean slowAndFull(long nowNanos) {
        return slow(nowNanos) && inFlight >= cap && !waiting.isEmpty();
    }

    /** At the slow cap and slow (see {@link #slowAndFull}), whether or not its slots are full just now. */
    synchronized boolean slow(long nowNanos) {
        return cap == slowCap && responseMs(nowNanos) > SLOW_MS;
    }

    /** How long this lane takes per delivery at its cap, from its response time. */
    synchronized Duration timePerDelivery(long nowNanos) {
        return Duration.ofNanos((long) (responseMs(nowNanos) * 1_000_000 / cap));
    }

    /** The average response time, or the time since the last answer while requests are out and that is longer. */
    private double responseMs(long nowNanos) {
        double silentMs = inFlight > 0 ? (nowNanos - lastAnswerNanos) / 1e6 : 0;
        return Math.max(averageMs, silentMs);
    }

    /** How long since this lane last saw an answer (or was made). */
    synchronized long idleFor(long nowNanos) {
        return nowNanos - lastAnswerNanos;
    }

    /**
     * Rows due up to this time were moved by the last pacing or hold (null: none yet), so the next need only look at
     * later ones; unchanged when that one moved as many rows as it may (some may be left before it).
     */
    synchronized Instant pacedThrough() {
        return pacedThrough;
    }

    /**
     * The last pacing or hold moved {@code count} rows, the most it may being {@code max}: fewer, and every row due up
     * to {@code now} was moved; as many, and more may wait, so the next may come at once (a backlog found due is moved
     * out of the claims' way in consecutive rounds, not one round per interval).
     */
    synchronized void moved(int count, int max, Instant now) {
        moreToMove = count >= max;
        if (!moreToMove) pacedThrough = now;
    }

    /**
     * Whether it is time to pace or hold this lane's due deliveries again: at most once per {@code interval}, unless the
     * last round left rows to move.
     */
    synchronized boolean pacingDue(long nowNanos, long intervalNanos) {
        if (!moreToMove && lastPaced != 0 && nowNanos - lastPaced < intervalNanos) return false;
        lastPaced = nowNanos;
        return true;
    }

    synchronized List<Pending> drainWaiting() {
        var drained = new ArrayList<>(waiting);
        waiting.clear();
        return drained;
    }
}
