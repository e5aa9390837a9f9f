package dev.herald.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.f4b6a3.ksuid.Ksuid;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Ids#firstAt} turns a time into the lowest id of its second, so a range of ids is a range of times. */
class IdsTest {
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    private final Random random = new Random(7);

    private String madeAt(Instant time) {
        byte[] payload = new byte[Ksuid.PAYLOAD_BYTES];
        random.nextBytes(payload);
        return Ids.MESSAGE + new Ksuid(time.getEpochSecond(), payload);
    }

    @Test
    void every_id_made_in_a_second_sorts_between_that_seconds_first_id_and_the_next_seconds() {
        for (int i = 0; i < 1_000; i++) {
            String id = madeAt(T.plusMillis(random.nextInt(1_000)));
            assertThat(id).isGreaterThanOrEqualTo(Ids.firstAt(Ids.MESSAGE, T))
                    .isLessThan(Ids.firstAt(Ids.MESSAGE, T.plusSeconds(1)));
        }
        assertThat(Ids.next(Ids.MESSAGE)).as("an id made now sorts after a second ago's first id")
                .isGreaterThan(Ids.firstAt(Ids.MESSAGE, Instant.now().minusSeconds(1)))
                .isLessThan(Ids.firstAt(Ids.MESSAGE, Instant.now().plusSeconds(2)));
    }

    @Test
    void a_time_within_a_second_names_that_seconds_first_id() {
        assertThat(Ids.firstAt(Ids.MESSAGE, T.plusMillis(999))).isEqualTo(Ids.firstAt(Ids.MESSAGE, T));
        assertThat(Ids.firstAt(Ids.ENDPOINT, T)).startsWith("ep_").hasSize(3 + 27);
    }

    @Test
    void times_a_ksuid_cannot_hold_are_clamped_to_its_ends_instead_of_wrapping() {
        String first = Ids.firstAt(Ids.MESSAGE, Instant.parse("0001-01-01T00:00:00Z"));
        String last = Ids.firstAt(Ids.MESSAGE, Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(first).isEqualTo("msg_000000000000000000000000000");
        assertThat(first).isLessThanOrEqualTo(madeAt(Instant.parse("2014-05-13T16:53:20Z")));
        assertThat(last).isGreaterThan(madeAt(T)).isGreaterThan(first);
        assertThat(Ids.firstAt(Ids.MESSAGE, Instant.parse("2200-01-01T00:00:00Z"))).isEqualTo(last);
    }
}
