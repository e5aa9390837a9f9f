package dev.herald.delivery;

import dev.herald.store.MessageStore;
import java.time.Duration;
import java.time.Instant;

/**
 * How far a slow endpoint's pacing has got: the due time it gave the last delivery, and the time the endpoint takes per
 * delivery. While the endpoint stays slow, publishing writes its new deliveries after that (see
 * {@link MessageStore.Lease#pacedAt}), each one step on and at most the pacing's horizon ahead of its own due time, as
 * the next pacing would have moved them: written due instead, every claim read past them until they were moved.
 * Moved by the dispatcher's pacing and by the publish writers, so its methods are synchronized.
 */
final class PaceCursor implements MessageStore.Pace {
    private static final Duration LEAST_STEP = Duration.ofNanos(1_000);

    private final Duration horizon;
    private Instant position;
    private Duration step;

    PaceCursor(Instant position, Duration step, Duration horizon) {
        this.horizon = horizon;
        this.position = position;
        this.step = atLeast(step);
    }

    /** A pacing spread rows up to {@code through}; the endpoint now takes {@code step} per delivery. */
    synchronized void paced(Instant through, Duration step) {
        if (through.isAfter(position)) position = through;
        this.step = atLeast(step);
    }

    @Override
    public synchronized Instant next(Instant due) {
        Instant next = (position.isAfter(due) ? position : due).plus(step);
        Instant latest = due.plus(horizon);
        position = next.isAfter(latest) ? latest : next;
        return position;
    }

    private static Duration atLeast(Duration step) {
        return step.compareTo(LEAST_STEP) < 0 ? LEAST_STEP : step;
    }
}
