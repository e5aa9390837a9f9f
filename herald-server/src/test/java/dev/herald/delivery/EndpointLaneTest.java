package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.queue.ClaimedDelivery;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndpointLaneTest {
    static EndpointLane.Pending pending(long id) {
        var d = new ClaimedDelivery(id, "msg_" + id, "ep_1", "app_1", 0, 1, "t", "{}", null, "http://x", Map.of(), false, null, null, null, null, null, null, null);
        return new EndpointLane.Pending(d, List.of(), null);
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
}
