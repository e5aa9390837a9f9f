package dev.herald.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class ThrottleStoreTest {
    static final Instant T = Instant.parse("2026-12-07T12:00:00Z");
    final ThrottleStore store = new ThrottleStore(TestDatabase.jdbi());

    @Test
    void a_bucket_hands_out_its_rate_and_puts_the_rest_off() {
        String key = "ep:" + System.nanoTime();
        var want = new ThrottleStore.Want(key, 1, null, 0);
        assertThat(store.reserve(List.of(want, want), T, Duration.ofSeconds(1))).containsExactly(null, T.plusSeconds(1));
        assertThat(store.reserve(List.of(want), T.plusMillis(500), Duration.ofSeconds(1))).containsExactly(T.plusSeconds(1));
        assertThat(store.reserve(List.of(want), T.plusSeconds(1), Duration.ofSeconds(1))).containsExactly((Instant) null);
    }

    /** A node whose clock stepped back an hour (or read a bucket written by one running ahead) still sends at its rate. */
    @Test
    void a_bucket_written_ahead_of_the_clock_does_not_hold_requests_back_by_as_much() {
        String key = "ep:" + System.nanoTime();
        var want = new ThrottleStore.Want(key, 1, null, 0);
        assertThat(store.reserve(List.of(want), T, Duration.ofSeconds(1))).containsExactly((Instant) null);
        Instant anHourBack = T.minus(Duration.ofHours(1));
        // at worst as if one request had just gone: a second's wait, not the hour
        assertThat(store.reserve(List.of(want, want), anHourBack, Duration.ofSeconds(1)))
                .containsExactly(anHourBack.plusSeconds(1), anHourBack.plusSeconds(2));
        assertThat(store.reserve(List.of(want), anHourBack.plusSeconds(1), Duration.ofSeconds(1))).containsExactly((Instant) null);
    }

    /** A node a little behind the others is refused as before: pulling the bucket back would hand the others bursts. */
    @Test
    void a_node_a_little_behind_does_not_pull_the_bucket_back() {
        String key = "ep:" + System.nanoTime();
        var want = new ThrottleStore.Want(key, 10, null, 0);
        assertThat(store.reserve(List.of(want), T, Duration.ofSeconds(1)).get(0)).isNull(); // burst of ten: the first
        for (int i = 0; i < 9; i++) store.reserve(List.of(want), T, Duration.ofSeconds(1));
        Instant behind = T.minusSeconds(30);
        assertThat(store.reserve(List.of(want), behind, Duration.ofSeconds(1)).get(0)).as("refused, as before").isNotNull();
        // the node whose clock is right finds the bucket where it left it: the eleventh within the second is refused
        assertThat(store.reserve(List.of(want), T, Duration.ofSeconds(1)).get(0)).isNotNull();
    }
}
