package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Where publishing writes a slow endpoint's deliveries: after its pacing, one step apart, never past the horizon. */
class PaceCursorTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration STEP = Duration.ofMillis(200);
    static final Duration HORIZON = Duration.ofSeconds(1);

    @Test
    void deliveries_follow_the_pacing_one_step_apart() {
        var cursor = new PaceCursor(NOW.plusMillis(300), STEP, HORIZON);
        assertThat(cursor.next(NOW)).isEqualTo(NOW.plusMillis(500));
        assertThat(cursor.next(NOW)).isEqualTo(NOW.plusMillis(700));
        assertThat(cursor.next(NOW.plusMillis(10))).isEqualTo(NOW.plusMillis(900));
    }

    @Test
    void none_goes_past_the_horizon_of_its_own_due_time() {
        var cursor = new PaceCursor(NOW.plusMillis(900), STEP, HORIZON);
        assertThat(cursor.next(NOW)).as("at the horizon, not a step past it").isEqualTo(NOW.plus(HORIZON));
        assertThat(cursor.next(NOW)).isEqualTo(NOW.plus(HORIZON));
        assertThat(cursor.next(NOW.plusMillis(100))).as("a later delivery, a later horizon").isEqualTo(NOW.plusMillis(1_100));
    }

    @Test
    void a_cursor_left_behind_starts_again_from_the_due_time() {
        var cursor = new PaceCursor(NOW, STEP, HORIZON);
        assertThat(cursor.next(NOW.plusSeconds(30))).as("never before its due time").isEqualTo(NOW.plusSeconds(30).plus(STEP));
    }

    @Test
    void a_pacing_moves_the_cursor_forward_only_and_sets_the_step() {
        var cursor = new PaceCursor(NOW.plusMillis(500), STEP, HORIZON);
        cursor.paced(NOW.plusMillis(100), Duration.ofMillis(50));
        assertThat(cursor.next(NOW)).as("rows placed up to 500 ms stay ahead; the new step").isEqualTo(NOW.plusMillis(550));
        cursor.paced(NOW.plusMillis(800), Duration.ofMillis(50));
        assertThat(cursor.next(NOW)).isEqualTo(NOW.plusMillis(850));
    }

    @Test
    void a_zero_step_still_puts_each_delivery_after_its_due_time() {
        var cursor = new PaceCursor(NOW, Duration.ZERO, HORIZON);
        assertThat(cursor.next(NOW)).isAfter(NOW);
        assertThat(cursor.next(NOW)).isAfter(NOW.plusNanos(1_000));
    }
}
