package dev.herald.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for something that may recur on every request (a database out of reach answers
 * thousands a second at once), telling how many were left out since the last.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private final AtomicLong lastLogged;
    private final AtomicLong leftOut = new AtomicLong();

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
        this.lastLogged = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** How many occurrences were left out before this one, which is to be logged; -1 when this one is left out too. */
    public long admit() {
        long now = System.nanoTime();
        long last = lastLogged.get();
        if (now - last >= intervalNanos && lastLogged.compareAndSet(last, now)) return leftOut.getAndSet(0);
        leftOut.incrementAndGet();
        return -1;
    }
}
