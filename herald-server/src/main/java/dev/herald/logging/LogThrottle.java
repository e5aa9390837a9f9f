package dev.herald.logging;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for something that may recur on every request (a database out of reach answers
 * thousands a second at once), telling how many were left out since the last.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong lastLogged;
    private final AtomicLong leftOut = new AtomicLong();

    public LogThrottle(Duration interval) {
        this(interval, System::nanoTime);
    }

    /** @param nanoTime the clock (tests move it) */
    LogThrottle(Duration interval, LongSupplier nanoTime) {
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.lastLogged = new AtomicLong(nanoTime.getAsLong() - intervalNanos);
    }

    /** What a logged line adds for the occurrences {@link #admit} said were left out before it ("" for none). */
    public static String leftOutNote(long leftOut) {
        return leftOut == 0 ? "" : " (and " + leftOut + " more since the last such line)";
    }

    /** How many occurrences were left out before this one, which is to be logged; -1 when this one is left out too. */
    public long admit() {
        long now = nanoTime.getAsLong();
        long last = lastLogged.get();
        if (now - last >= intervalNanos && lastLogged.compareAndSet(last, now)) return leftOut.getAndSet(0);
        leftOut.incrementAndGet();
        return -1;
    }
}
