package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code ordering: "fifo"}: strictly publish order; a message waits until the one before it succeeded or exhausted. */
@ExtendWith(TestDatabase.class)
class OrderedDeliveryTest {
    static List<String> bodies(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"i\":" + i + "}").toList();
    }

    @Test
    void a_failing_message_holds_back_the_ones_after_it_until_it_succeeds() throws Exception {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,10,10");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            var firstFailures = new AtomicInteger();
            receiver.reply(r -> r.body().equals("{\"i\":0}") && firstFailures.incrementAndGet() <= 1
                    ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            var ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/ordered"), "ordering", "fifo"));
            assertThat(ep.text("ordering")).isEqualTo("fifo");
            for (String body : bodies(5)) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":" + body + "}");

            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/ordered").size() == 1, "the first attempt");
            Thread.sleep(1_500); // the four behind it must wait: nothing more arrives
            assertThat(receiver.requests("/ordered")).hasSize(1);

            clock.advance(Duration.ofSeconds(13));
            herald.herald.wakeDispatcher();
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/ordered").size() == 6, "the retry, then the rest");
            var order = receiver.requests("/ordered").stream().map(Receiver.Request::body).toList();
            assertThat(order).containsExactly("{\"i\":0}", "{\"i\":0}", "{\"i\":1}", "{\"i\":2}", "{\"i\":3}", "{\"i\":4}");
        }
    }

    /**
     * The messages behind an ordered endpoint's failed one cannot go before its retry: left due, every claim on every
     * node read past them, and they counted as lag. They are made due with it.
     */
    @Test
    void the_messages_behind_a_retried_ordered_one_are_due_with_its_retry_not_before() {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,300");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            // the head's first answer takes 2 s: the twenty behind it are queued meanwhile
            var first = new java.util.concurrent.atomic.AtomicBoolean(true);
            receiver.reply(r -> r.body().equals("{\"i\":0}") && first.getAndSet(false)
                    ? new Receiver.Reply(500, Map.of(), Duration.ofSeconds(2)) : Receiver.Reply.status(200));
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o"), "ordering", "fifo")).text("id");
            for (int i = 0; i <= 20; i++) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() == 1, "the first attempt");
            Receiver.await(Duration.ofSeconds(10), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from attempt where endpoint_id = :ep").bind("ep", ep).mapTo(Integer.class).one()) == 1,
                    "its failure recorded");
            clock.advance(Duration.ofSeconds(60)); // a minute on: left due, they would have waited a minute, counted as lag
            assertThat(dueNow(ep, clock.instant())).as("queued rows of the endpoint due now, its head waiting 300 s").isZero();
            assertThat(herald.api.get("/metrics").raw()).as("no lag while they wait as they must")
                    .containsPattern("(?m)^herald_queue_lag_seconds(\\{[^}]*})? 0\\.0$");

            clock.advance(Duration.ofSeconds(301)); // with the minute before: the retry's 300 s and its jitter
            herald.herald.wakeDispatcher();
            Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/o").size() == 22, "the retry, then the twenty in order");
            var order = receiver.requests("/o").stream().map(Receiver.Request::body).toList();
            assertThat(order.subList(1, 22)).isEqualTo(java.util.stream.IntStream.range(0, 21).mapToObj(i -> "{\"i\":" + i + "}").toList());
        }
    }

    private static long dueNow(String endpointId, Instant now) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from delivery_queue where endpoint_id = :ep and next_attempt_at <= :now")
                .bind("ep", endpointId).bind("now", now).mapTo(Long.class).one());
    }

    /**
     * An ordered endpoint at {@code /o} with three messages, the first answered 500 once (its retry 300 s away, with
     * HERALD_RETRY_SCHEDULE=0,300), the two behind it held: the application's and the endpoint's ids.
     */
    private static String[] orderedWithAFailedHead(TestHerald herald, Receiver receiver) {
        receiver.reply(r -> r.body().equals("{\"i\":0}") ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
        String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o"), "ordering", "fifo")).text("id");
        for (String body : bodies(3)) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":" + body + "}");
        Receiver.await(Duration.ofSeconds(10), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from attempt where endpoint_id = :ep").bind("ep", ep).mapTo(Integer.class).one()) == 1,
                "the first attempt failed and recorded");
        return new String[] {app, ep};
    }

    /** Turning ordering off is how an operator unsticks an ordered endpoint: the messages already queued must follow. */
    @Test
    void ordering_switched_off_lets_the_queued_messages_go_at_once() {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,300");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            String[] ids = orderedWithAFailedHead(herald, receiver);
            String app = ids[0];
            String ep = ids[1];

            var patched = herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, json("ordering", "unordered"));
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(1));
            herald.herald.wakeDispatcher();
            // before, the two behind it still waited for its retry, 300 s away
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() >= 3, "the two behind it");
            var sent = receiver.requests("/o").stream().map(Receiver.Request::body).toList();
            // unordered now: the two go together, and the failed one waits for its retry (sent once so far)
            assertThat(sent).hasSize(3).startsWith("{\"i\":0}");
            assertThat(sent.subList(1, 3)).containsExactlyInAnyOrder("{\"i\":1}", "{\"i\":2}");
        }
    }

    /** The same switched off while the endpoint is paused: the rows it keeps parked come back when they were due. */
    @Test
    void ordering_switched_off_while_paused_lets_the_queued_messages_go_at_the_resume() {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,300");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            String[] ids = orderedWithAFailedHead(herald, receiver);
            String app = ids[0];
            String ep = ids[1];

            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/pause", "").status()).isEqualTo(204);
            var patched = herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, json("ordering", "unordered"));
            assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/resume", "").status()).isEqualTo(204);
            clock.advance(Duration.ofSeconds(1));
            herald.herald.wakeDispatcher();
            // the two behind it were held to its retry, 300 s away, and parked so: their kept time is theirs again
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() >= 3, "the two behind it");
            assertThat(receiver.requests("/o").stream().map(Receiver.Request::body).toList().subList(1, 3))
                    .containsExactlyInAnyOrder("{\"i\":1}", "{\"i\":2}");
        }
    }

    /** Its queue row counts the claim, its delivery row not yet: made due again, the head went out a second time. */
    @Test
    void ordering_switched_off_while_the_head_is_out_does_not_send_it_twice() {
        var clock = new MutableClock(Instant.parse("2026-05-01T00:00:00Z"));
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,300");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            receiver.reply(r -> r.body().equals("{\"i\":0}") ? new Receiver.Reply(200, Map.of(), Duration.ofSeconds(2))
                    : Receiver.Reply.status(200));
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            String ep = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o"), "ordering", "fifo")).text("id");
            for (String body : bodies(3)) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":" + body + "}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() == 1, "the head out");

            assertThat(herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, json("ordering", "unordered")).status()).isEqualTo(200);
            clock.advance(Duration.ofSeconds(1));
            herald.herald.wakeDispatcher();
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() >= 3, "the two behind it, unordered now");
            Receiver.await(Duration.ofSeconds(10), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from attempt where endpoint_id = :ep").bind("ep", ep).mapTo(Integer.class).one()) == 3,
                    "the three recorded");
            assertThat(receiver.requests("/o").stream().filter(r -> r.body().equals("{\"i\":0}")).count()).as("the head, sent once").isEqualTo(1);
        }
    }

    @Test
    void an_exhausted_message_lets_the_next_one_go() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            receiver.reply(r -> r.body().equals("{\"i\":0}") ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o"), "ordering", "fifo"));
            for (String body : bodies(3)) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":" + body + "}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/o").size() == 3, "all three");
            assertThat(receiver.requests("/o").stream().map(Receiver.Request::body).toList()).containsExactly(bodies(3).toArray(String[]::new));
        }
    }

    @Test
    void each_result_lets_the_next_ordered_message_go_at_once_not_at_the_next_poll() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_POLL_INTERVAL", "60s"); // a successor left to the poll would wait a minute
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/o"), "ordering", "fifo"));
            for (String body : bodies(5)) herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":" + body + "}");
            Receiver.await(Duration.ofSeconds(15), () -> receiver.requests("/o").size() == 5, "all five, one after another");
            assertThat(receiver.requests("/o").stream().map(Receiver.Request::body).toList()).containsExactly(bodies(5).toArray(String[]::new));
        }
    }

    @Test
    void order_holds_across_two_nodes_and_unordered_endpoints_stay_parallel() {
        try (var receiver = new Receiver(); var a = TestHerald.start(); var b = TestHerald.start()) {
            // the unordered endpoint answers in 300 ms, so its requests overlap however slowly the host publishes
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(r.path().equals("/parallel") ? 300 : 15)));
            String app = a.api.post("/api/v1/app", json("name", "fifo")).text("id");
            a.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/fifo"), "ordering", "fifo"));
            a.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/parallel")));
            int n = 40;
            for (int i = 0; i < n; i++) {
                (i % 2 == 0 ? a : b).api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
            }
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/fifo").size() == n && receiver.requests("/parallel").size() == n,
                    "every message at both endpoints");
            assertThat(receiver.requests("/fifo").stream().map(Receiver.Request::body).toList()).containsExactly(bodies(n).toArray(String[]::new));
            assertThat(receiver.maxConcurrent("/fifo")).isEqualTo(1);
            assertThat(receiver.maxConcurrent("/parallel")).isGreaterThan(1);
        }
    }

    @Test
    void refuses_an_unknown_ordering() {
        try (var herald = TestHerald.start()) {
            String app = herald.api.post("/api/v1/app", json("name", "fifo")).text("id");
            var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/x", "ordering", "lifo"));
            assertThat(response.status()).isEqualTo(422);
            assertThat(response.body().path("detail").get(0).path("loc").get(1).asText()).isEqualTo("ordering");
        }
    }
}
