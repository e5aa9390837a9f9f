package dev.herald.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a failed call is tried again: after a 5xx, a 429 or a broken connection, up to {@code maxRetries} more
 * times, waiting {@code initialBackoff} doubled each time (with jitter, capped at {@code maxBackoff}), or as long
 * as Herald's Retry-After asks when that is longer, up to {@code maxBackoff} too (a call never waits longer than
 * that between tries). A DELETE whose answer was lost, tried again, counts its 404 as done.
 */
public record Retries(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public static final Retries DEFAULT = new Retries(3, Duration.ofMillis(50), Duration.ofSeconds(5));
    public static final Retries NONE = new Retries(0, Duration.ZERO, Duration.ZERO);

    public Retries {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) throw new IllegalArgumentException("backoff must be >= 0");
    }

    static boolean retryableStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** The wait before retry number {@code retry} (1-based); {@code retryAfter} is Herald's hint, or null. */
    Duration delayBefore(int retry, Duration retryAfter) {
        long base = initialBackoff.toMillis() << Math.min(retry - 1, 20);
        // up to 25% jitter keeps several clients that failed together from retrying together
        long jittered = base + (base > 3 ? ThreadLocalRandom.current().nextLong(base / 4) : 0);
        long wait = Math.min(jittered, maxBackoff.toMillis());
        if (retryAfter != null) wait = Math.max(wait, Math.min(retryAfter.toMillis(), maxBackoff.toMillis()));
        return Duration.ofMillis(wait);
    }
}
