package dev.herald.delivery;

import dev.herald.domain.DeliveryStatus;
import dev.herald.outbound.DeliveryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The retry schedule: entry 0 is the first attempt's delay (0 = at once), entry n the wait after the
 * n-th failure, with ±20% jitter. A Retry-After on 429/503 is honoured within 1× to 2× the scheduled
 * delay, plus up to 20% jitter. 2xx succeeds; 410 Gone ends the delivery and disables the endpoint; manual attempts never retry.
 */
public final class RetryPolicy {
    static final double JITTER = 0.2;

    private final List<Duration> schedule;
    private final DoubleSupplier random;

    public RetryPolicy(List<Duration> schedule, DoubleSupplier random) {
        if (schedule.isEmpty()) throw new IllegalArgumentException("empty retry schedule");
        this.schedule = List.copyOf(schedule);
        this.random = random;
    }

    public int maxAttempts() {
        return schedule.size();
    }

    public Duration initialDelay() {
        return schedule.get(0);
    }

    /**
     * @param attemptNumber the 1-based number of the attempt just made
     * @param retryAfter    the response's Retry-After in seconds, if any
     */
    public DeliveryOutcome decide(DeliveryResult result, int attemptNumber, int triggerType, Instant now, Long retryAfter) {
        if (result.isSuccess()) return new DeliveryOutcome.Delivered();
        String reason = result.errorMessage() != null ? result.errorMessage() : "HTTP " + result.statusCode();
        if (result.statusCode() == 410) return new DeliveryOutcome.Exhausted("410 Gone: endpoint disabled", true);
        if (triggerType == DeliveryStatus.TRIGGER_MANUAL || attemptNumber >= schedule.size()) {
            return new DeliveryOutcome.Exhausted(reason, false);
        }
        Duration delay = jittered(schedule.get(attemptNumber));
        if (retryAfter != null && (result.statusCode() == 429 || result.statusCode() == 503)) {
            // jitter still, or every delivery a receiver answered with the same Retry-After comes back at one instant;
            // upwards only, never sooner than it asked
            Duration honoured = honourRetryAfter(schedule.get(attemptNumber), Duration.ofSeconds(Math.max(0, retryAfter)));
            delay = Duration.ofMillis(Math.round(honoured.toMillis() * (1 + JITTER * random.getAsDouble())));
        }
        return new DeliveryOutcome.RetryAt(now.plus(delay), reason);
    }

    Duration jittered(Duration base) {
        double factor = 1 + JITTER * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.round(base.toMillis() * factor));
    }

    /** The receiver's wish, but never sooner than scheduled nor later than twice the schedule. */
    static Duration honourRetryAfter(Duration scheduled, Duration asked) {
        if (asked.compareTo(scheduled) < 0) return scheduled;
        Duration cap = scheduled.multipliedBy(2);
        return asked.compareTo(cap) > 0 ? cap : asked;
    }

    /** Retry-After as seconds, or as an HTTP date relative to {@code now}; null when absent or unreadable. */
    public static Long parseRetryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) return null;
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            try {
                var date = java.time.ZonedDateTime.parse(header.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
                return Math.max(0, Duration.between(now, date.toInstant()).toSeconds());
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
    }
}
