package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DryClaimsTest {
    private static final long MS = 1_000_000L;
    private final DryClaims dry = new DryClaims(Duration.ofSeconds(1));

    @Test
    void a_claim_leaving_out_the_same_endpoints_after_a_dry_one_is_a_repeat_until_work_is_signalled() {
        dry.claimed(List.of("ep_a"), 100, 0, 7, 0, 5 * MS);

        assertThat(dry.wouldRepeat(Set.of("ep_a"), 7, 10 * MS)).isTrue();
        assertThat(dry.wouldRepeat(Set.of("ep_a", "ep_b"), 7, 10 * MS)).as("more left out: still nothing new").isTrue();
        assertThat(dry.wouldRepeat(Set.of("ep_b"), 7, 10 * MS)).as("ep_a included again: its rows may be claimed").isFalse();
        assertThat(dry.wouldRepeat(Set.of(), 7, 10 * MS)).isFalse();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 8, 10 * MS)).as("work signalled since the dry claim began").isFalse();
    }

    @Test
    void a_dry_claim_is_repeated_after_the_poll_interval_or_nine_times_its_own_duration_whichever_is_later() {
        dry.claimed(List.of("ep_a"), 100, 3, 0, 0, 5 * MS);
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 999 * MS)).isTrue();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 1_000 * MS)).as("one poll interval after it began").isFalse();

        // a scan of 1.5 s behind a large backlog: repeated no sooner than 13.5 s after it
        dry.claimed(List.of("ep_a"), 100, 0, 0, 2_000 * MS, 3_500 * MS);
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 16_999 * MS)).isTrue();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 17_000 * MS)).isFalse();
    }

    @Test
    void only_a_claim_that_left_endpoints_out_and_took_less_than_it_asked_for_is_dry() {
        dry.claimed(List.of("ep_a"), 100, 100, 0, 0, 5 * MS);
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 10 * MS)).as("took all it asked for: more may be due").isFalse();

        dry.claimed(List.of(), 100, 0, 0, 0, 5 * MS);
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 10 * MS)).as("left nothing out").isFalse();
    }

    @Test
    void rows_published_due_for_a_held_back_endpoint_end_the_repeat_for_claims_that_include_it() {
        dry.claimed(List.of("ep_a"), 100, 0, 0, 0, 5 * MS);
        dry.queued("ep_b"); // its lane was full as publishing wrote its rows due, with no wake

        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 10 * MS)).as("ep_b's lane has room again: its rows may be claimed").isFalse();
        assertThat(dry.wouldRepeat(Set.of("ep_a", "ep_b"), 0, 10 * MS)).as("ep_b still left out").isTrue();

        dry.claimed(List.of("ep_a"), 100, 0, 0, 20 * MS, 25 * MS); // a dry claim that saw ep_b's rows
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 30 * MS)).isTrue();
    }

    @Test
    void while_rows_deferred_here_come_due_no_claim_is_skipped() {
        dry.claimed(List.of("ep_a"), 100, 0, 0, 0, 1_500 * MS); // a long scan: not repeated for 15 s
        dry.deferred(2_000 * MS); // a throttled delivery put back due at 2 s

        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 100 * MS)).isFalse();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 2_999 * MS)).as("one poll interval after the deferred row is due").isFalse();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 3_000 * MS)).isTrue();
    }

    @Test
    void a_full_claim_after_a_dry_one_keeps_what_the_dry_one_saw_and_rows_made_due_here_end_it() {
        dry.claimed(List.of("ep_a"), 100, 0, 0, 0, 5 * MS);
        dry.claimed(List.of(), 32, 32, 0, 20 * MS, 25 * MS); // ep_a's own rows, taken as its lane had room
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 30 * MS)).isTrue();

        dry.forget();
        assertThat(dry.wouldRepeat(Set.of("ep_a"), 0, 30 * MS)).isFalse();
    }
}
