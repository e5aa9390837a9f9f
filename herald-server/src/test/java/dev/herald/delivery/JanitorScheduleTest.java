package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a node's first retention sweep comes: nodes redeployed more often than a long interval must still sweep. */
class JanitorScheduleTest {
    @Test
    void the_first_sweep_comes_within_a_minute_of_start_whatever_the_interval() {
        assertThat(Janitor.firstSweepAfter(Duration.ofDays(1))).isEqualTo(Duration.ofMinutes(1));
        assertThat(Janitor.firstSweepAfter(Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(1));
        assertThat(Janitor.firstSweepAfter(Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
        assertThat(Janitor.firstSweepAfter(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }
}
