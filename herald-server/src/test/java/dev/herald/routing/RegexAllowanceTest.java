package dev.herald.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RegexAllowanceTest {
    private static final Instant T = Instant.parse("2026-05-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T);
    private final RegexAllowance allowance = new RegexAllowance(clock);

    @Test
    void refills_at_its_rate_up_to_its_capacity() {
        assertThat(allowance.available("app")).isEqualTo(RegexAllowance.CAPACITY);
        allowance.spend("app", RegexAllowance.CAPACITY);
        assertThat(allowance.available("app")).isZero();
        assertThat(allowance.available("other")).isEqualTo(RegexAllowance.CAPACITY);
        clock.advance(Duration.ofMillis(500));
        assertThat(allowance.available("app")).isEqualTo(RegexAllowance.PER_SECOND / 2);
        clock.advance(Duration.ofHours(1));
        assertThat(allowance.available("app")).isEqualTo(RegexAllowance.CAPACITY);
    }

    /** A clock set back (NTP, a VM restored) refills from the time it then reads, not once it has caught up again. */
    @Test
    void a_clock_set_back_refills_from_the_time_it_then_reads() {
        allowance.spend("app", RegexAllowance.CAPACITY);
        clock.set(T.minus(Duration.ofHours(1)));
        assertThat(allowance.available("app")).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(allowance.available("app")).isEqualTo(RegexAllowance.PER_SECOND);
    }
}
