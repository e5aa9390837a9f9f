package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RowMovesTest {

    /** An Error out of a move (the JDBC driver's asserts on a dropped connection) must end it as a failure does. */
    @Test
    void a_move_ended_by_an_error_is_no_longer_under_way() throws Exception {
        var finished = new Semaphore(0);
        try (var moves = new RowMoves(finished::release)) {
            moves.start("ep_1", "park", () -> {
                throw new AssertionError("Misuse of castNonNull: called with a null argument");
            }, ignored -> {});
            assertThat(finished.tryAcquire(5, TimeUnit.SECONDS)).as("the mover reported back").isTrue();
            moves.applyFinished();
            assertThat(moves.underWay("ep_1")).as("under way after an Error").isFalse();

            var applied = new java.util.concurrent.atomic.AtomicBoolean();
            moves.start("ep_1", "park", () -> 1, one -> applied.set(true));
            assertThat(finished.tryAcquire(5, TimeUnit.SECONDS)).isTrue();
            moves.applyFinished();
            assertThat(applied).as("the endpoint's next move ran").isTrue();
        }
    }
}
