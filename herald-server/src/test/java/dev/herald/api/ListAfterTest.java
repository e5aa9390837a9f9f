package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code after} without an iterator or {@code before} is, as in svix-server, the page just after that time: the oldest
 * rows after it (shown newest first), whose prevIterator walks on towards the present. Read as a filter newest first, it
 * was the newest page after the time, and a client walking from there towards the present missed every row between.
 */
@ExtendWith(TestDatabase.class)
class ListAfterTest {

    private static List<String> ids(JsonNode page, String field) {
        var ids = new ArrayList<String>();
        page.path("data").forEach(row -> ids.add(row.path(field).asText()));
        return ids;
    }

    @Test
    void after_gives_the_page_just_after_the_time_and_its_prev_iterator_walks_to_the_present() {
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "after")).text("id");
            String ep = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/after"))).text("id");
            var messages = new ArrayList<String>();
            var messageTimes = new ArrayList<String>();
            for (int i = 0; i < 5; i++) {
                var published = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t.t\",\"payload\":{\"n\":" + i + "}}");
                messages.add(published.text("id"));
                messageTimes.add(published.text("timestamp"));
                int recorded = i + 1;
                // one message at a time, its attempt recorded before the next is published: times in publishing order
                Receiver.await(Duration.ofSeconds(20), () -> api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep)
                        .body().path("data").size() == recorded, "attempt " + recorded + " recorded");
            }
            var attempts = ids(api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep).body(), "id").reversed();
            String firstAttemptTime = api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep + "?limit=250")
                    .body().path("data").get(4).path("timestamp").asText();

            // the messages list
            var page = api.get("/api/v1/app/" + app + "/msg?limit=2&after=" + messageTimes.get(0)).body();
            assertThat(ids(page, "id")).as(page.toString()).containsExactly(messages.get(2), messages.get(1));
            assertThat(page.path("done").asBoolean()).as("newer rows remain").isFalse();
            var newer = api.get("/api/v1/app/" + app + "/msg?limit=2&iterator=" + page.path("prevIterator").asText()).body();
            assertThat(ids(newer, "id")).as(newer.toString()).containsExactly(messages.get(4), messages.get(3));
            assertThat(newer.path("done").asBoolean()).isTrue();

            // an endpoint's attempts
            page = api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep + "?limit=2&after=" + firstAttemptTime).body();
            assertThat(ids(page, "id")).as(page.toString()).containsExactly(attempts.get(2), attempts.get(1));
            newer = api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep + "?limit=2&iterator=" + page.path("prevIterator").asText()).body();
            assertThat(ids(newer, "id")).as(newer.toString()).containsExactly(attempts.get(4), attempts.get(3));

            // the messages an endpoint was sent
            page = api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/msg?limit=2&after=" + messageTimes.get(0)).body();
            assertThat(ids(page, "id")).as(page.toString()).containsExactly(messages.get(2), messages.get(1));

            // with before, or in ascending order, after stays the filter it was
            page = api.get("/api/v1/app/" + app + "/msg?limit=2&order=ascending&after=" + messageTimes.get(0)).body();
            assertThat(ids(page, "id")).containsExactly(messages.get(1), messages.get(2));
            page = api.get("/api/v1/app/" + app + "/msg?limit=2&after=" + messageTimes.get(0) + "&before=" + messageTimes.get(4)).body();
            assertThat(ids(page, "id")).containsExactly(messages.get(3), messages.get(2));
        }
    }

    @Test
    void an_endpoint_s_messages_are_placed_in_time_by_the_message_not_by_its_latest_resend() {
        var clock = new MutableClock(java.time.Instant.parse("2026-03-01T10:00:00Z"));
        try (var receiver = new Receiver(); var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "resent")).text("id");
            String ep = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/resent"))).text("id");
            String msg = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t.t\",\"payload\":{}}").text("id");
            Receiver.await(Duration.ofSeconds(20), () -> api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep)
                    .body().path("data").size() == 1, "first attempt recorded");
            clock.advance(Duration.ofHours(1));
            assertThat(api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + ep + "/resend", "").status()).isEqualTo(202);
            Receiver.await(Duration.ofSeconds(20), () -> api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep)
                    .body().path("data").size() == 2, "the resend recorded");

            String halfway = "2026-03-01T10:30:00Z";
            assertThat(ids(api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/msg?before=" + halfway).body(), "id"))
                    .as("published before, resent after").containsExactly(msg);
            assertThat(ids(api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/msg?after=" + halfway).body(), "id")).isEmpty();
        }
    }

    /**
     * A message's and an attempt's id carry the second of their own time, from the node's clock: a time bound read
     * through ids (after, before, stats) then agrees with the times shown. The ids took the system clock's second while
     * the rows took the injected clock's, so with a clock set elsewhere every bound read through ids was off.
     */
    @Test
    void ids_carry_the_second_of_the_time_the_row_shows() {
        var clock = new MutableClock(java.time.Instant.parse("2026-03-01T10:00:00Z"));
        try (var receiver = new Receiver(); var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var api = herald.api;
            String app = api.post("/api/v1/app", json("name", "clocked")).text("id");
            String ep = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/clocked"))).text("id");
            var messages = new ArrayList<String>();
            for (int i = 0; i < 3; i++) {
                messages.add(api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t.t\",\"payload\":{}}").text("id"));
                int recorded = i + 1;
                Receiver.await(Duration.ofSeconds(20), () -> api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep)
                        .body().path("data").size() == recorded, "attempt " + recorded + " recorded");
                clock.advance(Duration.ofHours(1));
            }
            var message = api.get("/api/v1/app/" + app + "/msg/" + messages.get(0)).body();
            assertThat(idSecond(messages.get(0), "msg_")).isEqualTo(java.time.Instant.parse(message.path("timestamp").asText())
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            var attempt = api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep + "?limit=250").body().path("data").get(2);
            assertThat(idSecond(attempt.path("id").asText(), "atmpt_")).isEqualTo(java.time.Instant.parse(attempt.path("timestamp").asText())
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));

            String halfPast = "2026-03-01T10:30:00Z";
            assertThat(ids(api.get("/api/v1/app/" + app + "/msg?limit=1&after=" + halfPast).body(), "id"))
                    .as("the page just after half past ten").containsExactly(messages.get(1));
            assertThat(ids(api.get("/api/v1/app/" + app + "/attempt/endpoint/" + ep + "?limit=1&after=" + halfPast).body(), "msgId"))
                    .containsExactly(messages.get(1));
        }
    }

    private static java.time.Instant idSecond(String id, String prefix) {
        return com.github.f4b6a3.ksuid.Ksuid.from(id.substring(prefix.length())).getInstant();
    }
}
