package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retention that works: expired payloads are gone (and cannot be resent); old attempts, messages and tasks are removed. */
@ExtendWith(TestDatabase.class)
class RetentionTest {
    @Test
    void payloads_expire_per_message_and_old_history_is_removed() {
        var clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETENTION_DAYS", "30");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            String app = herald.api.post("/api/v1/app", json("name", "r")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/r"))).text("id");
            String shortLived = herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t\",\"payload\":{\"secret\":1},\"payloadRetentionPeriod\":1}").text("id");
            String hourly = herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t\",\"payload\":{\"h\":1},\"payloadRetentionHours\":2}").text("id");
            String longLived = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"keep\":1}}").text("id");
            Receiver.await(Duration.ofSeconds(10), () -> herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep).body().path("data").size() == 3,
                    "three attempts recorded");

            clock.advance(Duration.ofHours(3));
            herald.herald.runRetention();
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + hourly).body().path("payload").toString()).isEqualTo("{\"expired\":true}");
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + shortLived).body().path("payload").path("secret").asInt()).isEqualTo(1);

            clock.advance(Duration.ofDays(1));
            herald.herald.runRetention();
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + shortLived).body().path("payload").toString()).isEqualTo("{\"expired\":true}");
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + longLived).body().path("payload").path("keep").asInt()).isEqualTo(1);
            String task = herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/recover",
                    "{\"since\":\"2026-01-01T00:00:00Z\"}").text("id");
            assertThat(herald.api.get("/api/v1/background-task/" + task).status()).isEqualTo(200);
            var resend = herald.api.post("/api/v1/app/" + app + "/msg/" + shortLived + "/endpoint/" + ep + "/resend", "");
            assertThat(resend.status()).isEqualTo(400);
            assertThat(resend.text("code")).isEqualTo("payload_expired");

            // past HERALD_RETENTION_DAYS the messages and their attempts are removed
            clock.advance(Duration.ofDays(31));
            var swept = herald.herald.runRetention();
            assertThat(swept.messagesDeleted()).isEqualTo(3);
            assertThat(swept.attemptsDeleted()).isEqualTo(3);
            assertThat(swept.tasksDeleted()).isEqualTo(1);
            assertThat(herald.api.get("/api/v1/background-task/" + task).status()).isEqualTo(404);
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + longLived).status()).isEqualTo(404);
            assertThat(herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep).body().path("data")).isEmpty();
        }
    }

    @Test
    void ended_tokens_are_removed_a_day_after_their_end_and_nothing_else() {
        var clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        try (var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            String app = herald.api.post("/api/v1/app", json("name", "t")).text("id");
            String shortLink = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{\"expiry\":60}").text("token");
            String weekLink = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token");
            String integration = herald.api.post("/api/v1/app/" + app + "/integration", json("name", "i")).text("id");
            String key = herald.api.get("/api/v1/app/" + app + "/integration/" + integration + "/key").text("key");

            clock.advance(Duration.ofHours(12)); // the short link ended 12 hours ago: kept a day
            assertThat(herald.herald.runRetention().tokensDeleted()).isZero();
            clock.advance(Duration.ofDays(1));
            assertThat(herald.herald.runRetention().tokensDeleted()).isEqualTo(1);

            assertThat(herald.api.withToken(shortLink).get("/api/v1/app/" + app).status()).isEqualTo(401);
            assertThat(herald.api.withToken(weekLink).get("/api/v1/app/" + app).status()).isEqualTo(200);
            assertThat(herald.api.withToken(key).get("/api/v1/app/" + app).status()).isEqualTo(200);
            assertThat(herald.api.get("/api/v1/app/" + app + "/integration/" + integration).status()).isEqualTo(200);
            assertThat(herald.api.get("/api/v1/app").status()).isEqualTo(200);
        }
    }
}
