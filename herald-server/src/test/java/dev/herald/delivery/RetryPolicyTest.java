package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.DeliveryStatus;
import dev.herald.outbound.DeliveryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final List<Duration> SCHEDULE = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5));

    static DeliveryResult status(int code) {
        return new DeliveryResult(code, "", 3, null, null);
    }

    @Test
    void jitter_stays_within_twenty_percent_at_both_extremes() {
        var low = new RetryPolicy(SCHEDULE, () -> 0.0).decide(status(500), 2, DeliveryStatus.TRIGGER_SCHEDULED, NOW, null);
        var high = new RetryPolicy(SCHEDULE, () -> 0.999999).decide(status(500), 2, DeliveryStatus.TRIGGER_SCHEDULED, NOW, null);
        assertThat(((DeliveryOutcome.RetryAt) low).at()).isEqualTo(NOW.plus(Duration.ofMinutes(4)));
        assertThat(((DeliveryOutcome.RetryAt) high).at()).isBetween(NOW.plus(Duration.ofSeconds(359)), NOW.plus(Duration.ofMinutes(6)));
    }

    @Test
    void success_is_any_2xx_and_the_last_failure_exhausts() {
        var policy = new RetryPolicy(SCHEDULE, () -> 0.5);
        assertThat(policy.decide(status(204), 1, 0, NOW, null)).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(policy.decide(status(300), 1, 0, NOW, null)).isInstanceOf(DeliveryOutcome.RetryAt.class);
        assertThat(policy.decide(status(500), 3, 0, NOW, null)).isInstanceOf(DeliveryOutcome.Exhausted.class);
        assertThat(policy.decide(DeliveryResult.failure("connection refused", 1), 1, 0, NOW, null))
                .isEqualTo(new DeliveryOutcome.RetryAt(NOW.plusSeconds(5), "connection refused"));
    }

    @Test
    void manual_attempts_are_not_retried_and_410_disables() {
        var policy = new RetryPolicy(SCHEDULE, () -> 0.5);
        assertThat(policy.decide(status(500), 1, DeliveryStatus.TRIGGER_MANUAL, NOW, null))
                .isEqualTo(new DeliveryOutcome.Exhausted("HTTP 500", false));
        assertThat(policy.decide(status(410), 1, 0, NOW, null)).isEqualTo(new DeliveryOutcome.Exhausted("410 Gone: endpoint disabled", true));
    }

    @Test
    void retry_after_is_clamped_to_one_to_two_times_the_schedule() {
        assertThat(RetryPolicy.honourRetryAfter(Duration.ofSeconds(10), Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(10));
        assertThat(RetryPolicy.honourRetryAfter(Duration.ofSeconds(10), Duration.ofSeconds(15))).isEqualTo(Duration.ofSeconds(15));
        assertThat(RetryPolicy.honourRetryAfter(Duration.ofSeconds(10), Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(20));
        var policy = new RetryPolicy(SCHEDULE, () -> 0.5);
        assertThat(policy.decide(status(200), 1, 0, NOW, 99L)).isInstanceOf(DeliveryOutcome.Delivered.class);
        // Retry-After only counts on 429 and 503
        assertThat(policy.decide(status(500), 1, 0, NOW, 8L)).isEqualTo(new DeliveryOutcome.RetryAt(NOW.plusSeconds(5), "HTTP 500"));
        assertThat(policy.decide(status(429), 1, 0, NOW, 8L)).isEqualTo(new DeliveryOutcome.RetryAt(NOW.plusMillis(8_800), "HTTP 429"));
    }

    /** Deliveries a receiver answered with one Retry-After must not all come back at one instant, nor sooner than asked. */
    @Test
    void retry_after_keeps_a_jitter_upwards() {
        var early = new RetryPolicy(SCHEDULE, () -> 0.0).decide(status(503), 1, 0, NOW, 7L);
        var late = new RetryPolicy(SCHEDULE, () -> 0.999999).decide(status(503), 1, 0, NOW, 7L);
        assertThat(((DeliveryOutcome.RetryAt) early).at()).isEqualTo(NOW.plusSeconds(7));
        assertThat(((DeliveryOutcome.RetryAt) late).at()).isBetween(NOW.plusMillis(8_390), NOW.plusMillis(8_400));
        var belowSchedule = new RetryPolicy(SCHEDULE, () -> 0.5).decide(status(503), 1, 0, NOW, 1L);
        assertThat(((DeliveryOutcome.RetryAt) belowSchedule).at()).isEqualTo(NOW.plusMillis(5_500));
    }

    /** A 2xx head followed by a body that broke off: the receiver has the webhook; sending it again would duplicate it. */
    @Test
    void a_2xx_whose_body_broke_off_is_delivered() {
        var policy = new RetryPolicy(SCHEDULE, () -> 0.5);
        var broken = new DeliveryResult(200, "ab", 3, "connection closed before the response completed", null);
        assertThat(policy.decide(broken, 1, 0, NOW, null)).isInstanceOf(DeliveryOutcome.Delivered.class);
        var slow = new DeliveryResult(202, "", 15_000, "timeout after 15000 ms", null);
        assertThat(policy.decide(slow, 1, 0, NOW, null)).isInstanceOf(DeliveryOutcome.Delivered.class);
        assertThat(policy.decide(new DeliveryResult(500, "", 3, "connection closed before the response completed", null), 1, 0, NOW, null))
                .isInstanceOf(DeliveryOutcome.RetryAt.class);
    }

    @Test
    void parses_retry_after_as_seconds_or_http_date() {
        assertThat(RetryPolicy.parseRetryAfter("120", NOW)).isEqualTo(120L);
        assertThat(RetryPolicy.parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", NOW)).isEqualTo(60L);
        assertThat(RetryPolicy.parseRetryAfter("soon", NOW)).isNull();
        assertThat(RetryPolicy.parseRetryAfter(null, NOW)).isNull();
    }
}
