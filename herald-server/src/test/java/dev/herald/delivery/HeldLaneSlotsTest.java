package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deliveries of an endpoint whose breaker is open wait in its lane, each holding a slot of the node, until the lane's
 * park takes them. When they held every slot, the loop waited for a slot and never parked: the node sent nothing more,
 * to any endpoint.
 */
@ExtendWith(TestDatabase.class)
class HeldLaneSlotsTest {

    @Test
    void deliveries_waiting_in_a_failing_lane_do_not_hold_the_node_s_slots_for_good() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT", "4");
        env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "1");
        try (var failing = new Receiver(); var healthy = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            // slow failures: while the first requests are out, a burst of publishes is leased to the endpoint at publish
            failing.reply(request -> new Receiver.Reply(500, java.util.Map.of(), Duration.ofMillis(500)));
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "jam")).text("id");
            api.post("/api/v1/event-type", json("name", "to.failing", "description", "d"));
            api.post("/api/v1/event-type", json("name", "to.healthy", "description", "d"));
            api.post("/api/v1/app/" + app + "/endpoint", json("url", failing.url("/f"), "filterTypes", java.util.List.of("to.failing")));
            api.post("/api/v1/app/" + app + "/endpoint", json("url", healthy.url("/h"), "filterTypes", java.util.List.of("to.healthy")));

            try (var burst = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 64; i++) {
                    int n = i;
                    burst.submit(() -> api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"to.failing\",\"payload\":{\"i\":" + n + "}}"));
                }
            }
            Receiver.await(Duration.ofSeconds(10), () -> !failing.requests("/f").isEmpty(), "the failing endpoint tried");
            for (int i = 0; i < 5; i++) api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"to.healthy\",\"payload\":{\"i\":" + i + "}}");

            Receiver.await(Duration.ofSeconds(20), () -> healthy.requests("/h").size() == 5,
                    "the healthy endpoint served beside the failing one's waiting deliveries");
        }
    }
}
