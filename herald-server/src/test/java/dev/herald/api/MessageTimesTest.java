package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.MutableClock;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A message's times as the publish answers them are the times every later read shows: PostgreSQL keeps microseconds,
 * and a node's clock reads nanoseconds, which the publish's answer used to carry (nine digits, another instant than the
 * stored one, and more digits than some clients' date parsers take).
 */
@ExtendWith(TestDatabase.class)
class MessageTimesTest {

    @Test
    void the_publish_answer_shows_the_times_a_read_shows() {
        var clock = new MutableClock(Instant.parse("2026-03-01T10:00:00.123456789Z"));
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            String app = herald.api.post("/api/v1/app", json("name", "times")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/t")).text("id");
            var published = herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t.t\",\"payload\":{},\"deliverAt\":\"2026-03-01T11:00:00.987654321Z\"}");
            var keyed = herald.api.send("POST", "/api/v1/app/" + app + "/msg", "{\"eventType\":\"t.t\",\"payload\":{}}",
                    "idempotency-key", "times-1");
            var example = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "svix.ping"));

            assertThat(published.text("timestamp")).isEqualTo("2026-03-01T10:00:00.123456Z");
            assertThat(published.text("deliverAt")).isEqualTo("2026-03-01T11:00:00.987654Z");
            for (var answer : new ApiClient.Response[] {published, keyed, example}) {
                assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
                var read = herald.api.get("/api/v1/app/" + app + "/msg/" + answer.text("id"));
                assertThat(read.text("timestamp")).as(answer.toString()).isEqualTo(answer.text("timestamp"));
                assertThat(read.body().path("deliverAt")).isEqualTo(answer.body().path("deliverAt"));
            }
        }
    }
}
