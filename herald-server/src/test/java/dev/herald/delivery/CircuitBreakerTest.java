package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    final MutableClock clock = new MutableClock(T0);

    @Test
    void opens_after_the_given_failures_in_a_row_and_a_success_in_between_starts_the_count_again() {
        var breaker = new CircuitBreaker(3, clock);
        breaker.record(false);
        breaker.record(false);
        breaker.record(true);
        breaker.record(false);
        breaker.record(false);
        assertThat(breaker.closed()).isTrue();
        assertThat(breaker.tryStart(5)).isTrue();
        breaker.record(false);
        assertThat(breaker.closed()).isFalse();
        assertThat(breaker.tryStart(0)).as("open: nothing starts").isFalse();
        assertThat(breaker.heldUntil(Duration.ofSeconds(1))).isEqualTo(T0.plus(CircuitBreaker.FIRST_OPEN));
    }

    @Test
    void a_probe_that_made_no_request_lets_the_next_one_go_and_leaves_the_breaker_as_it_was() {
        var breaker = openBreaker();
        clock.advance(CircuitBreaker.FIRST_OPEN);
        assertThat(breaker.tryStart(0)).isTrue();
        assertThat(breaker.probeMayStart(0)).as("the probe is out").isFalse();
        breaker.probeUnsent();
        assertThat(breaker.probeOut()).isFalse();
        assertThat(breaker.closed()).as("nothing learnt: still open").isFalse();
        assertThat(breaker.probeMayStart(0)).as("the next probe may go").isTrue();
        assertThat(breaker.tryStart(0)).isTrue();
        breaker.record(true);
        assertThat(breaker.closed()).isTrue();
    }

    @Test
    void after_the_open_period_one_probe_goes_and_its_success_closes_the_breaker() {
        var breaker = openBreaker();
        clock.advance(CircuitBreaker.FIRST_OPEN);
        assertThat(breaker.probeMayStart(1)).as("not while an earlier request is still out").isFalse();
        assertThat(breaker.probeMayStart(0)).isTrue();
        assertThat(breaker.tryStart(0)).isTrue();
        assertThat(breaker.tryStart(0)).as("only one probe").isFalse();
        assertThat(breaker.heldUntil(Duration.ofSeconds(1))).as("while the probe is out").isEqualTo(clock.instant().plusSeconds(1));
        breaker.record(true);
        assertThat(breaker.closed()).isTrue();
        assertThat(breaker.tryStart(3)).isTrue();
    }

    @Test
    void each_failed_probe_doubles_the_open_period_up_to_the_maximum_and_a_success_resets_it() {
        var breaker = openBreaker();
        Duration expected = CircuitBreaker.FIRST_OPEN;
        for (int round = 0; round < 6; round++) {
            clock.advance(expected);
            assertThat(breaker.tryStart(0)).as("probe in round %d", round).isTrue();
            breaker.record(false);
            expected = expected.multipliedBy(2).compareTo(CircuitBreaker.MAX_OPEN) > 0 ? CircuitBreaker.MAX_OPEN : expected.multipliedBy(2);
            assertThat(breaker.heldUntil(Duration.ZERO)).isEqualTo(clock.instant().plus(expected));
        }
        assertThat(expected).isEqualTo(CircuitBreaker.MAX_OPEN);
        clock.advance(expected);
        assertThat(breaker.tryStart(0)).isTrue();
        breaker.record(true);
        for (int i = 0; i < 3; i++) breaker.record(false);
        assertThat(breaker.heldUntil(Duration.ZERO)).as("first period again").isEqualTo(clock.instant().plus(CircuitBreaker.FIRST_OPEN));
    }

    @Test
    void failures_of_requests_sent_before_it_opened_do_not_extend_the_open_period() {
        var breaker = openBreaker();
        Instant until = breaker.heldUntil(Duration.ZERO);
        clock.advance(Duration.ofSeconds(1));
        breaker.record(false);
        breaker.record(false);
        assertThat(breaker.heldUntil(Duration.ZERO)).isEqualTo(until);
    }

    @Test
    void with_zero_failures_it_never_opens() {
        var breaker = new CircuitBreaker(0, clock);
        for (int i = 0; i < 1_000; i++) breaker.record(false);
        assertThat(breaker.closed()).isTrue();
        assertThat(breaker.tryStart(10)).isTrue();
    }

    private CircuitBreaker openBreaker() {
        var breaker = new CircuitBreaker(3, clock);
        for (int i = 0; i < 3; i++) breaker.record(false);
        assertThat(breaker.closed()).isFalse();
        return breaker;
    }
}
