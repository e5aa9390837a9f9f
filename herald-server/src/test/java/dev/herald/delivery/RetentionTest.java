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
            assertThat(resend.text("code")).isEqualTo("missing_payload");

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

    /**
     * A payload's retention runs out while its delivery is still queued (the endpoint failing, a deliverAt later than
     * the retention): it is kept until the delivery is done, and what the endpoint receives is the payload published.
     * Blanked first, the delivery would be cancelled and the endpoint would never get the message.
     */
    @Test
    void a_payload_is_kept_while_a_delivery_of_it_is_queued() {
        var clock = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,7200");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            receiver.reply(r -> Receiver.Reply.status(500));
            String app = herald.api.post("/api/v1/app", json("name", "r")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/r"))).text("id");
            String retried = herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t\",\"payload\":{\"retried\":1},\"payloadRetentionHours\":1}").text("id");
            String later = herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t\",\"payload\":{\"later\":1},\"payloadRetentionHours\":1,"
                            + "\"deliverAt\":\"2026-03-02T00:00:00Z\"}").text("id");
            Receiver.await(Duration.ofSeconds(10), () -> herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + retried)
                    .body().path("data").size() == 1, "the first, failed attempt recorded");

            clock.advance(Duration.ofHours(2)); // both past their hour; the retry of the first not yet due
            assertThat(herald.herald.runRetention().payloadsExpired()).isZero();
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + retried).body().path("payload").path("retried").asInt()).isEqualTo(1);
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + later).body().path("payload").path("later").asInt()).isEqualTo(1);

            receiver.reply(r -> Receiver.Reply.status(200));
            clock.advance(Duration.ofHours(1)); // the retry is due (2 h ±20% after the first attempt)
            assertThat(sentAndRecorded(herald, receiver, app, retried, 2)).isEqualTo("{\"retried\":1}");

            // the delivered one goes at the next sweep; the scheduled one waits for its time
            assertThat(herald.herald.runRetention().payloadsExpired()).isEqualTo(1);
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + retried).body().path("payload").toString()).isEqualTo("{\"expired\":true}");

            clock.set(Instant.parse("2026-03-02T00:00:01Z"));
            assertThat(sentAndRecorded(herald, receiver, app, later, 3)).isEqualTo("{\"later\":1}");
            assertThat(herald.herald.runRetention().payloadsExpired()).isEqualTo(1);
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + later).body().path("payload").toString()).isEqualTo("{\"expired\":true}");
            assertThat(herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep).body().path("data").size()).isEqualTo(3);
        }
    }

    /** Wakes the dispatcher, waits for the receiver's {@code nth} request and its success recorded; the body it got. */
    private static String sentAndRecorded(TestHerald herald, Receiver receiver, String app, String msg, int nth) {
        herald.herald.wakeDispatcher();
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").size() == nth, "request " + nth);
        Receiver.await(Duration.ofSeconds(10), () -> herald.api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint")
                .body().path("data").path(0).path("status").asInt() == 0, "the delivery of " + msg + " recorded");
        return receiver.requests("/r").get(nth - 1).body();
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
