package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A lane whose breaker is open closes only on a successful request. A deleted endpoint's lane never met one: it was
 * parked again every round, two statements each, for as long as the node ran. A disabled endpoint's deliveries were
 * cancelled one per probe, minutes apart. Both end now: the gauge {@code herald_endpoints_held} says how many are held.
 */
@ExtendWith(TestDatabase.class)
class HeldLaneEndTest {
    private static final Pattern HELD = Pattern.compile("(?m)^herald_endpoints_held(?:\\{[^}]*})? (\\S+)$");

    private static double held(TestHerald herald) {
        var m = HELD.matcher(herald.api.get("/metrics").raw());
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static TestHerald failingEndpointHeld(Receiver failing, String[] ids) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "1");
        var herald = TestHerald.start(env, Clock.systemUTC());
        failing.reply(request -> Receiver.Reply.status(500));
        ids[0] = herald.api.post("/api/v1/app", json("name", "held")).text("id");
        ids[1] = herald.api.post("/api/v1/app/" + ids[0] + "/endpoint", json("url", failing.url("/f"))).text("id");
        herald.api.post("/api/v1/app/" + ids[0] + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":0}}");
        Receiver.await(Duration.ofSeconds(20), () -> held(herald) == 1, "the endpoint held");
        for (int i = 1; i <= 5; i++) herald.api.post("/api/v1/app/" + ids[0] + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
        return herald;
    }

    /** A live endpoint whose only deliveries are retries due later keeps its lane held: its breaker is the point. */
    @Test
    void a_failing_endpoint_with_only_later_retries_stays_held() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "1");
        env.put("HERALD_RETRY_SCHEDULE", "0,60");
        try (var failing = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            failing.reply(request -> Receiver.Reply.status(500));
            String app = herald.api.post("/api/v1/app", json("name", "held")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", failing.url("/f")));
            herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(20), () -> held(herald) == 1, "the endpoint held");
            Thread.sleep(2_000); // eight park rounds: each finds nothing due, nothing parked, no row for a probe
            assertThat(held(herald)).as("still held").isEqualTo(1.0);
        }
    }

    @Test
    void a_deleted_endpoint_s_lane_is_let_go() {
        var ids = new String[2];
        try (var failing = new Receiver(); var herald = failingEndpointHeld(failing, ids)) {
            assertThat(herald.api.delete("/api/v1/app/" + ids[0] + "/endpoint/" + ids[1]).status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(30), () -> held(herald) == 0, "the deleted endpoint's lane let go");
        }
    }

    @Test
    void a_disabled_endpoint_s_deliveries_are_cancelled_together_and_its_lane_let_go() {
        var ids = new String[2];
        try (var failing = new Receiver(); var herald = failingEndpointHeld(failing, ids)) {
            assertThat(herald.api.patch("/api/v1/app/" + ids[0] + "/endpoint/" + ids[1], json("disabled", true)).status()).isEqualTo(200);
            // held, one was cancelled per probe, the breaker open 5, 10, 20, 40 s…: five took minutes
            Receiver.await(Duration.ofSeconds(30), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from delivery where endpoint_id = :ep and status = 1").bind("ep", ids[1]).mapTo(Integer.class).one()) == 0,
                    "every pending delivery of the disabled endpoint cancelled");
            Receiver.await(Duration.ofSeconds(30), () -> held(herald) == 0, "the disabled endpoint's lane let go");
            assertThat(failing.requests("/f")).as("nothing sent once disabled").hasSizeLessThanOrEqualTo(1);
        }
    }
}
