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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's recovery flow: an endpoint fails, is disabled (by hand here; after days of failure, automatically), is
 * fixed and enabled again, and its owner recovers the failed messages since the outage began. The messages still
 * waiting for a retry when it was disabled are cancelled unsent; they failed as much as the exhausted ones, so
 * recover sends them too.
 */
@ExtendWith(TestDatabase.class)
class RecoverAfterDisableTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void recover_sends_the_messages_cancelled_when_their_endpoint_was_disabled() {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,3600");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            receiver.reply(r -> Receiver.Reply.status(500));
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "outage")).text("id");
            String ep = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/down"))).text("id");
            List<String> messages = List.of(
                    api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":1}}").text("id"),
                    api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":2}}").text("id"),
                    api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":3}}").text("id"));
            for (String msg : messages) {
                Receiver.await(WAIT, () -> api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data").size() == 1,
                        "the first, failed attempt of " + msg);
            }

            assertThat(api.patch("/api/v1/app/" + app + "/endpoint/" + ep, "{\"disabled\":true}").status()).isEqualTo(200);
            clock.advance(Duration.ofHours(2)); // the retries fall due while it is disabled: cancelled, not sent
            herald.herald.wakeDispatcher();
            for (String msg : messages) {
                Receiver.await(WAIT, () -> api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint?expanded_statuses=true")
                        .body().path("data").path(0).path("status").asInt() == 4, msg + " cancelled");
            }
            assertThat(receiver.requests("/down")).hasSize(3);
            // one of them expunged meanwhile: its content is gone, so recover passes it by
            assertThat(api.delete("/api/v1/app/" + app + "/msg/" + messages.get(2) + "/content").status()).isEqualTo(204);

            receiver.reply(r -> Receiver.Reply.status(200));
            assertThat(api.patch("/api/v1/app/" + app + "/endpoint/" + ep, "{\"disabled\":false}").status()).isEqualTo(200);
            var recover = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/recover",
                    json("since", "2026-04-30T00:00:00Z"));
            assertThat(recover.status()).as(recover.toString()).isEqualTo(202);
            herald.herald.wakeDispatcher();
            Receiver.await(WAIT, () -> receiver.requests("/down").size() == 5, "the two kept messages sent again");
            assertThat(receiver.requests("/down").subList(3, 5)).extracting(Receiver.Request::body)
                    .containsExactlyInAnyOrder("{\"n\":1}", "{\"n\":2}");
            String task = "/api/v1/background-task/" + recover.text("id");
            Receiver.await(WAIT, () -> api.get(task).text("status").equals("finished"), "the recovery finished");
            assertThat(api.get(task).body().path("data").path("messagesQueued").asInt()).isEqualTo(2);
        }
    }
}
