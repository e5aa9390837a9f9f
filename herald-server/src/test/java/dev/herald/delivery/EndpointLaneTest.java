package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.queue.ClaimedDelivery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EndpointLaneTest {
    static EndpointLane.Pending pending(long id) {
        var d = new ClaimedDelivery(id, "msg_" + id, "ep_1", "app_1", 0, 1, "t", "{}", null, "http://x", Map.of(), false, null, null, null, null, null, null, null, List.of(), false, null);
        return new EndpointLane.Pending(d, List.of(), null, java.time.Instant.MAX);
    }

    @Test
    void caps_requests_in_flight_and_queues_as_many_again() {
        var lane = new EndpointLane(2);
        assertThat(lane.tryStart()).isTrue();
        assertThat(lane.tryStart()).isTrue();
        assertThat(lane.tryStart()).isFalse();
        assertThat(lane.offerWaiting(pending(3))).isTrue();
        assertThat(lane.offerWaiting(pending(4))).isTrue();
        assertThat(lane.offerWaiting(pending(5))).as("beyond twice the cap goes back to the queue").isFalse();
        assertThat(lane.load()).isEqualTo(4);
    }

    @Test
    void a_delivery_admitted_as_the_request_in_flight_finishes_is_started_in_its_turn() throws Exception {
        // the dispatcher admits claimed deliveries while requests finish on other threads; with a cap of 1 every
        // delivery must start in the order admitted (a delivery left waiting with nothing in flight was overtaken)
        var lane = new EndpointLane(1);
        int n = 200_000;
        var inFlight = new LinkedBlockingQueue<Long>();
        var startOrder = new ConcurrentLinkedQueue<Long>();
        Thread finisher = Thread.ofPlatform().start(() -> {
            try {
                for (long id = inFlight.take(); id >= 0; id = inFlight.take()) {
                    var next = lane.finishAndNext(); // as the request's completion does: its slot passes on
                    if (next != null) {
                        startOrder.add(next.delivery().id());
                        inFlight.put(next.delivery().id());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (long i = 0; i < n; i++) {
            while (lane.room() == 0) Thread.onSpinWait(); // a claim asks for no more than the lane's room
            var admission = lane.admit(pending(i));
            assertThat(admission).isNotEqualTo(EndpointLane.Admission.FULL);
            if (admission == EndpointLane.Admission.STARTED) {
                startOrder.add(i);
                inFlight.put(i);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (lane.load() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        inFlight.put(-1L);
        finisher.join();
        assertThat(lane.load()).as("nothing left waiting").isZero();
        var order = new ArrayList<>(startOrder);
        assertThat(order).hasSize(n);
        for (int i = 0; i < n; i++) {
            if (order.get(i) != i) throw new AssertionError("started out of turn at position " + i + ": " + order.subList(i, Math.min(n, i + 3)));
        }
    }

    @Test
    void a_finished_request_hands_its_slot_to_the_oldest_waiting_delivery() {
        var lane = new EndpointLane(2);
        lane.tryStart();
        lane.tryStart();
        lane.offerWaiting(pending(7));
        lane.offerWaiting(pending(8));
        assertThat(lane.finishAndNext().delivery().id()).isEqualTo(7);
        assertThat(lane.load()).as("slot taken over, not freed").isEqualTo(3);
        assertThat(lane.finishAndNext().delivery().id()).isEqualTo(8);
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.load()).isZero();
        assertThat(lane.tryStart()).isTrue();
    }

    @Test
    void drains_waiting_deliveries_for_hand_back() {
        var lane = new EndpointLane(1);
        lane.tryStart();
        lane.offerWaiting(pending(1));
        assertThat(lane.drainWaiting()).extracting(p -> p.delivery().id()).containsExactly(1L);
        assertThat(lane.load()).isEqualTo(1);
    }

    @Test
    void a_lane_starts_at_the_slow_cap_and_uses_the_full_cap_once_its_endpoint_answers_fast() {
        var lane = new EndpointLane(8, 2);
        assertThat(lane.cap()).isEqualTo(2);
        assertThat(lane.room()).as("in flight plus as many waiting").isEqualTo(4);
        for (int i = 0; i < EndpointLane.WARM_UP - 1; i++) lane.observe(5);
        assertThat(lane.cap()).as("not before enough answers were seen").isEqualTo(2);
        lane.observe(5);
        assertThat(lane.cap()).isEqualTo(8);
        assertThat(lane.room()).isEqualTo(16);
    }

    @Test
    void a_lane_whose_endpoint_turns_slow_goes_back_to_the_slow_cap_and_frees_slots_above_it() {
        var lane = new EndpointLane(4, 1);
        for (int i = 0; i < EndpointLane.WARM_UP; i++) lane.observe(1);
        for (int i = 0; i < 4; i++) assertThat(lane.tryStart()).isTrue();
        assertThat(lane.offerWaiting(pending(1))).isTrue();
        while (lane.cap() > 1) lane.observe(15_000);
        assertThat(lane.tryStart()).isFalse();
        assertThat(lane.room()).isZero();
        assertThat(lane.finishAndNext()).as("over the lowered cap a finished request frees its slot").isNull();
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.finishAndNext().delivery().id()).as("at the cap, the waiting delivery takes the last slot").isEqualTo(1);
        assertThat(lane.load()).isEqualTo(1);
    }

    @Test
    void an_endpoint_between_fast_and_slow_keeps_the_cap_it_has() {
        var lane = new EndpointLane(4, 1);
        for (int i = 0; i < EndpointLane.WARM_UP; i++) lane.observe(500);
        assertThat(lane.cap()).isEqualTo(1);
        for (int i = 0; i < 40; i++) lane.observe(10);
        assertThat(lane.cap()).isEqualTo(4);
        for (int i = 0; i < 40; i++) lane.observe(600);
        assertThat(lane.cap()).as("between the thresholds nothing changes").isEqualTo(4);
    }

    @Test
    void a_full_slow_lane_asks_for_pacing_at_most_once_per_interval() {
        var lane = new EndpointLane(8, 2);
        lane.observe(5_000);
        long now = System.nanoTime();
        assertThat(lane.slowAndFull(now)).as("not full yet").isFalse();
        lane.tryStart();
        lane.tryStart();
        assertThat(lane.slowAndFull(now)).as("at its cap, nothing waiting").isFalse();
        lane.offerWaiting(pending(1));
        assertThat(lane.slowAndFull(now)).as("at its cap, one waiting: left out of claims").isTrue();
        lane.offerWaiting(pending(2));
        assertThat(lane.slowAndFull(now)).isTrue();
        assertThat(lane.timePerDelivery(now)).as("two at a time, five seconds each").isEqualTo(java.time.Duration.ofMillis(2_500));
        assertThat(lane.pacingDue(1_000, 100)).isTrue();
        assertThat(lane.pacingDue(1_050, 100)).isFalse();
        assertThat(lane.pacingDue(1_100, 100)).isTrue();
        lane.moved(10, 10, java.time.Instant.EPOCH);
        assertThat(lane.pacingDue(1_110, 100)).as("the last round moved all it may: the next comes at once").isTrue();
        assertThat(lane.pacedThrough()).as("rows may be left before it").isNull();
        lane.moved(3, 10, java.time.Instant.EPOCH);
        assertThat(lane.pacingDue(1_120, 100)).isFalse();
        assertThat(lane.pacedThrough()).isEqualTo(java.time.Instant.EPOCH);
    }

    @Test
    void a_full_lane_that_has_not_answered_for_a_while_counts_as_slow_before_any_response_time_is_known() {
        var lane = new EndpointLane(8, 1);
        lane.tryStart();
        lane.offerWaiting(pending(1));
        long now = System.nanoTime();
        assertThat(lane.slowAndFull(now)).as("just sent").isFalse();
        long later = now + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
        assertThat(lane.slowAndFull(later)).isTrue();
        assertThat(lane.timePerDelivery(later)).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(3));
    }

    @Test
    void a_lane_has_recovered_once_its_answers_average_under_half_the_slow_line_and_it_is_not_silent() {
        var lane = new EndpointLane(8, 2);
        long now = System.nanoTime();
        assertThat(lane.recovered(now)).as("no answer yet").isFalse();
        lane.observe(1_500);
        assertThat(lane.recovered(now)).isFalse();
        int fastAnswers = 0;
        while (!lane.recovered(System.nanoTime())) {
            lane.observe(5);
            fastAnswers++;
        }
        assertThat(fastAnswers).as("1,500 ms decays under 500 ms at 0.9 a fast answer").isEqualTo(11);
        lane.tryStart();
        long later = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
        assertThat(lane.recovered(later)).as("a request out and no answer for two seconds").isFalse();
    }

    @Test
    void paced_rows_are_kept_up_to_a_limit_and_forgotten_once_all_have_come_due() {
        var paced = new PacedRows();
        java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
        assertThat(paced.anyAhead(now)).isFalse();
        paced.add(List.of(new dev.herald.queue.DeliveryQueue.PacedRow(1, 0), new dev.herald.queue.DeliveryQueue.PacedRow(2, 3)), now.plusSeconds(60));
        var many = new java.util.ArrayList<dev.herald.queue.DeliveryQueue.PacedRow>();
        for (int i = 0; i < PacedRows.LIMIT; i++) many.add(new dev.herald.queue.DeliveryQueue.PacedRow(100 + i, 0));
        paced.add(many, now.plusSeconds(61));
        assertThat(paced.anyAhead(now.plusSeconds(61))).isTrue();
        var taken = paced.take();
        assertThat(taken).hasSize(PacedRows.LIMIT).startsWith(new dev.herald.queue.DeliveryQueue.PacedRow(1, 0),
                new dev.herald.queue.DeliveryQueue.PacedRow(2, 3), new dev.herald.queue.DeliveryQueue.PacedRow(100, 0));
        assertThat(paced.anyAhead(now)).as("taken rows are forgotten").isFalse();
        paced.add(List.of(new dev.herald.queue.DeliveryQueue.PacedRow(7, 0)), now.plusSeconds(60));
        assertThat(paced.anyAhead(now.plusSeconds(60).plusMillis(1))).as("all of them due by now").isFalse();
        assertThat(paced.take()).isEmpty();
    }

    @Test
    void a_fast_full_lane_is_not_slow() {
        var lane = new EndpointLane(1, 1);
        lane.observe(3);
        lane.tryStart();
        lane.offerWaiting(pending(1));
        assertThat(lane.slowAndFull(System.nanoTime())).isFalse();
    }

    @Test
    void a_lane_counts_its_idle_time_from_its_last_answer() {
        var lane = new EndpointLane(4, 1);
        long now = System.nanoTime();
        assertThat(lane.idleFor(now + 1_000_000_000L)).isGreaterThanOrEqualTo(1_000_000_000L);
        lane.observe(3);
        assertThat(lane.idleFor(System.nanoTime())).isLessThan(1_000_000_000L);
    }

    @Test
    void an_open_breaker_takes_no_deliveries_and_hands_no_slot_on_then_allows_one_probe() {
        var clock = new dev.herald.testing.MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        var lane = new EndpointLane(4, 4, new CircuitBreaker(2, clock));
        assertThat(lane.tryStart()).isTrue();
        assertThat(lane.tryStart()).isTrue();
        assertThat(lane.offerWaiting(pending(3))).isTrue();
        assertThat(lane.room()).isEqualTo(5);
        lane.observe(1, false);
        lane.observe(1, false);
        assertThat(lane.held()).isTrue();
        assertThat(lane.room()).as("open").isZero();
        assertThat(lane.finishAndNext()).as("the waiting delivery does not take the freed slot").isNull();
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.tryStart()).isFalse();
        assertThat(lane.drainWaiting()).hasSize(1);

        clock.advance(CircuitBreaker.FIRST_OPEN);
        assertThat(lane.room()).as("room for the probe").isEqualTo(1);
        assertThat(lane.tryStart()).isTrue();
        assertThat(lane.room()).as("probe out").isZero();
        lane.observe(1, true);
        assertThat(lane.finishAndNext()).isNull();
        assertThat(lane.held()).isFalse();
        assertThat(lane.room()).isEqualTo(8);
    }
}
