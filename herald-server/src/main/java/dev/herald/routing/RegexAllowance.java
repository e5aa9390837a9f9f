package dev.herald.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The regex steps an application's filters may take on the publish writer, all its endpoints' together: a bucket of
 * {@link #CAPACITY} steps per application, refilled at {@link #PER_SECOND} a second. A filter's own budget
 * ({@link EndpointFilters#FILTER_REGEX_STEPS}) bounds one filter on one message; this bounds the sum, which a tenant
 * could otherwise raise to its endpoint limit times that budget on every message to it (50 filters each just within
 * theirs: two seconds of the node's one writer per message, every tenant's publishing waiting behind it).
 */
final class RegexAllowance {
    /** About 200 ms of searching: ten messages' worth of an app's filters at their heaviest within their own budgets. */
    static final long CAPACITY = 5 * EndpointFilters.FILTER_REGEX_STEPS;
    /** About 100 ms a second: a tenth of a writer; an ordinary search takes tens of steps, so about 100,000 of them. */
    static final long PER_SECOND = 5 * EndpointFilters.FILTER_REGEX_STEPS / 2;

    private final Clock clock;
    /** Only applications whose filters spent steps lately; a bucket left alone a minute is full again anyway. */
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(1)).maximumSize(100_000).build();

    RegexAllowance(Clock clock) {
        this.clock = clock;
    }

    /** The steps the application's filters may still take now, up to {@link #CAPACITY}. */
    long available(String appId) {
        Bucket bucket = buckets.getIfPresent(appId);
        return bucket == null ? CAPACITY : bucket.available(clock.instant());
    }

    /** Takes the steps a filter of the application spent. */
    void spend(String appId, long steps) {
        if (steps <= 0) return;
        buckets.get(appId, id -> new Bucket(clock.instant())).spend(steps, clock.instant());
    }

    private static final class Bucket {
        private long steps = CAPACITY;
        private Instant filledAt;

        Bucket(Instant now) {
            filledAt = now;
        }

        synchronized long available(Instant now) {
            refill(now);
            return steps;
        }

        synchronized void spend(long spent, Instant now) {
            refill(now);
            steps = Math.max(0, steps - spent);
        }

        private void refill(Instant now) {
            if (!now.isAfter(filledAt)) {
                filledAt = now; // a clock set back refills nothing, and the refill counts on from the time it now reads
                return;
            }
            long micros = Duration.between(filledAt, now).toNanos() / 1_000;
            long added = micros >= 1_000_000L * CAPACITY / PER_SECOND ? CAPACITY : micros * PER_SECOND / 1_000_000;
            steps = Math.min(CAPACITY, steps + added);
            filledAt = now;
        }
    }
}
