package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_REQUEST_TIMEOUT bounds a whole exchange: a receiver that hangs gets a failed, explained attempt. */
@ExtendWith(TestDatabase.class)
class DeliveryTimeoutTest {

    @Test
    void a_receiver_that_hangs_longer_than_the_timeout_gets_a_failed_attempt_within_the_timeout() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_REQUEST_TIMEOUT", "1s");
        env.put("HERALD_DELIVERY_LEASE", "10s");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            // hangs for 20 s: the attempt must fail at the 1 s timeout, well before (and not at the default 15 s)
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofSeconds(20)));
            String app = app(herald.api, "timeout");
            endpoint(herald.api, app, receiver.url("/slow"));

            long published = System.nanoTime();
            String msg = publish(herald.api, app, "{\"eventType\":\"t.t\",\"payload\":{}}");
            var attempt = new AtomicReference<JsonNode>();
            Receiver.await(Duration.ofSeconds(10), () -> {
                var data = herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data");
                if (data.isEmpty()) return false;
                attempt.set(data.get(0));
                return true;
            }, "the timed-out attempt to be recorded");
            long tookMs = (System.nanoTime() - published) / 1_000_000;

            // a loaded host's publish, claim and batched write around the 1 s; the 15 s default or the hang far beyond
            assertThat(tookMs).as("recorded %d ms after publish", tookMs).isLessThan(8_000);
            assertThat(attempt.get().path("responseDurationMs").asLong()).as("the request's own time").isBetween(900L, 3_000L);
            assertThat(attempt.get().path("status").asInt()).isEqualTo(2);
            assertThat(attempt.get().path("responseStatusCode").asInt()).isZero();
            assertThat(attempt.get().path("errorMessage").asText()).containsIgnoringCase("timeout");
            assertThat(receiver.requests("/slow")).hasSize(1);
        }
    }
}
