package dev.herald.client.outbox;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The log of something the relay retries until it works (a pass; the LISTEN connection): the first failure of a run
 * in full (with its stack trace), then at most one line a {@link #REPEAT_INTERVAL} saying how many more failed and the
 * latest failure, and one line when it works again. A database away for an hour logged two lines a second, one with a
 * stack trace (7,200 at the default poll interval).
 */
final class RepeatedFailureLog {
    static final Duration REPEAT_INTERVAL = Duration.ofMinutes(1);

    private final System.Logger log;
    private final Level firstLevel;
    private final String what;
    private final Clock clock;
    private final Duration retryEvery;
    private long failures;
    private long unlogged;
    private Instant failingSince;
    private Instant loggedAt;

    /** {@code what} names the thing retried ("outbox relay pass"); its first failure is logged at {@code firstLevel}. */
    RepeatedFailureLog(System.Logger log, Level firstLevel, String what, Clock clock, Duration retryEvery) {
        this.log = log;
        this.firstLevel = firstLevel;
        this.what = what;
        this.clock = clock;
        this.retryEvery = retryEvery;
    }

    synchronized void failed(Throwable failure) {
        Instant now = clock.instant();
        if (failures++ == 0) {
            failingSince = now;
            loggedAt = now;
            log.log(firstLevel, what + " failed; trying again every " + retryEvery, failure);
            return;
        }
        unlogged++;
        if (now.isBefore(loggedAt.plus(REPEAT_INTERVAL))) return;
        log.log(Level.WARNING, what + " still failing: " + unlogged + " more since the last line, " + failures + " since "
                + failingSince + "; the latest: " + failure);
        unlogged = 0;
        loggedAt = now;
    }

    synchronized void succeeded() {
        if (failures == 0) return;
        log.log(Level.INFO, what + " works again, after " + failures + " failed since " + failingSince);
        failures = 0;
        unlogged = 0;
    }
}
