package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The release of a park once its breaker has closed: chunk by chunk, and one last look before it is emptied. */
class EndpointParkTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final long T = 1_000_000_000L; // a nanoTime
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void a_short_release_is_followed_by_one_more_a_while_later_before_the_park_is_emptied() {
        var park = parkWithRows();
        assertThat(park.releaseDue(T)).as("the first release at once").isTrue();
        park.released(3, T);
        assertThat(park.active()).as("kept after the first short release").isTrue();
        assertThat(park.releaseDue(T + SECOND / 2)).as("no second look at once").isFalse();
        assertThat(park.releaseDue(T + SECOND)).as("the second look a while later").isTrue();
        park.released(2, T + SECOND);
        assertThat(park.active()).as("emptied after the second").isFalse();
        assertThat(park.releaseDue(T + 3 * SECOND)).isFalse();
    }

    @Test
    void full_chunks_follow_as_the_endpoint_takes_half_of_the_last() {
        var park = parkWithRows();
        park.released(EndpointPark.RELEASE_CHUNK, T);
        assertThat(park.releaseDue(T + 1)).as("nothing taken yet").isFalse();
        for (int i = 0; i < EndpointPark.RELEASE_CHUNK / 2; i++) park.taken();
        assertThat(park.releaseDue(T + 2)).as("half taken").isTrue();
        park.released(10, T + 2);
        park.released(EndpointPark.RELEASE_CHUNK, T + SECOND + 2); // rows were still being written here
        assertThat(park.active()).isTrue();
        park.released(0, T + 2 * SECOND + 2);
        assertThat(park.active()).as("a short release after a full one is only the first of two").isTrue();
        park.released(0, T + 3 * SECOND + 2);
        assertThat(park.active()).isFalse();
    }

    private static EndpointPark parkWithRows() {
        var park = new EndpointPark();
        park.slot(NOW);
        park.parked(5);
        assertThat(park.active()).isTrue();
        return park;
    }
}
