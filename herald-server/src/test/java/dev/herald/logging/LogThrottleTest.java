package dev.herald.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
    @Test
    void one_line_per_interval_telling_how_many_were_left_out() {
        var now = new AtomicLong(1_000_000_000L);
        var throttle = new LogThrottle(Duration.ofSeconds(10), now::get);
        assertThat(throttle.admit()).as("the first is logged").isZero();
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(throttle.admit()).as("9 s later").isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(throttle.admit()).as("10 s later: logged, with the two left out").isEqualTo(2);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(throttle.admit()).isEqualTo(1);
        now.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(throttle.admit()).as("nothing left out since").isZero();
    }
}
