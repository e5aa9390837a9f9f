package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stopping node finishes what it sends for up to HERALD_SHUTDOWN_TIMEOUT with its listener still open. Readiness
 * answered 204 all that while, so a load balancer never saw it go and kept sending it requests until it vanished.
 */
@ExtendWith(TestDatabase.class)
class ReadinessWhileStoppingTest {

    @Test
    void readiness_is_503_from_the_start_of_a_stop_liveness_still_204() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_SHUTDOWN_TIMEOUT", "8s"); // the drain outlasts a loaded host's checks below
        try (var receiver = new Receiver()) {
            var herald = TestHerald.start(env, Clock.systemUTC());
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "draining")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/slow")));
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofSeconds(12)));
            api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/slow").size() == 1, "a delivery in flight");
            assertThat(api.withToken(null).get("/api/v1/health").status()).isEqualTo(204);

            var stopping = Thread.ofPlatform().start(herald::close);
            try {
                Receiver.await(Duration.ofSeconds(5), () -> api.withToken(null).get("/api/v1/health").status() == 503,
                        "readiness 503 while the node drains");
                assertThat(stopping.isAlive()).as("still draining").isTrue();
                assertThat(api.withToken(null).get("/api/v1/health/ping").status()).as("liveness").isEqualTo(204);
            } finally {
                stopping.join(30_000);
            }
        }
    }
}
