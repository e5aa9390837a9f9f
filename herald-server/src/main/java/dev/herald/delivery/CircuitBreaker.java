package dev.herald.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Stops sending to an endpoint that fails every request, for a while, on this node. After
 * {@code failuresToOpen} failed requests in a row the breaker opens: nothing is sent to the endpoint until
 * the open period ends; then one request (the probe) may go. A probe that succeeds closes the breaker; one
 * that fails opens it again for twice as long, up to {@link #MAX_OPEN}. Any success closes it.
 *
 * <p>Why: a dead endpoint answering 500 at once would otherwise take as much of the node as a healthy one,
 * and with its retries more. While the breaker is open its deliveries wait without an attempt being counted
 * (as a throttled delivery does), so its messages keep their retry schedule and all flow once it answers.
 */
final class CircuitBreaker {
    /** How long the breaker stays open the first time; each failed probe doubles it. */
    static final Duration FIRST_OPEN = Duration.ofSeconds(5);
    static final Duration MAX_OPEN = Duration.ofSeconds(60);

    private final int failuresToOpen;
    private final Clock clock;
    private int failuresInARow;
    private Instant openUntil; // null while closed
    private Duration openFor = FIRST_OPEN;
    private boolean probeOut;

    /** {@code failuresToOpen} 0: never opens. */
    CircuitBreaker(int failuresToOpen, Clock clock) {
        this.failuresToOpen = failuresToOpen;
        this.clock = clock;
    }

    static CircuitBreaker never() {
        return new CircuitBreaker(0, Clock.systemUTC());
    }

    /** Closed: requests flow. Otherwise open, or waiting for (or with) its probe. */
    synchronized boolean closed() {
        return openUntil == null;
    }

    /**
     * Whether a request may start now, given the lane's requests in flight; starting the probe is recorded, so
     * only one goes out.
     */
    synchronized boolean tryStart(int inFlight) {
        if (openUntil == null) return true;
        if (!probeMayStart(inFlight)) return false;
        probeOut = true;
        return true;
    }

    /** Whether the probe is out (started, not finished). */
    synchronized boolean probeOut() {
        return probeOut;
    }

    /** Open, its period over, nothing out: one request may go to find out whether the endpoint is back. */
    synchronized boolean probeMayStart(int load) {
        return openUntil != null && !probeOut && load == 0 && !clock.instant().isBefore(openUntil);
    }

    /**
     * When the endpoint's deliveries are next worth claiming while the breaker is not closed: the end of the
     * open period, or (once it is over and a probe is out) {@code ifOver} from now.
     */
    synchronized Instant heldUntil(Duration ifOver) {
        Instant now = clock.instant();
        if (openUntil == null) return now;
        return now.isBefore(openUntil) ? openUntil : now.plus(ifOver);
    }

    /**
     * A delivery this lane started ended with no request (its endpoint disabled, its content gone, nothing that may be
     * sent). While the breaker is not closed the only one started is the probe (it starts with nothing else in the
     * lane), which then found out nothing: the next may go. A no-op while closed.
     */
    synchronized void probeUnsent() {
        probeOut = false;
    }

    /** Closed again, as after a success, with nothing learnt from a request: its endpoint was disabled, say. */
    synchronized void reset() {
        failuresInARow = 0;
        openUntil = null;
        openFor = FIRST_OPEN;
        probeOut = false;
    }

    /** Counts one finished request. */
    synchronized void record(boolean success) {
        if (success) {
            reset();
            return;
        }
        failuresInARow++;
        if (probeOut) {
            probeOut = false;
            openFor = openFor.multipliedBy(2).compareTo(MAX_OPEN) > 0 ? MAX_OPEN : openFor.multipliedBy(2);
            openUntil = clock.instant().plus(openFor);
        } else if (openUntil == null && failuresToOpen > 0 && failuresInARow >= failuresToOpen) {
            openUntil = clock.instant().plus(openFor);
        }
    }
}
