package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries, Retry-After, auto-disable and operational webhooks, driven by a hand-moved clock. */
@ExtendWith(TestDatabase.class)
class RetryAndHealthTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final Duration WAIT = Duration.ofSeconds(10);

    MutableClock clock = new MutableClock(T0);
    Receiver receiver;
    TestHerald herald;
    String app;
    String endpoint;

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void stop() {
        if (herald != null) herald.close();
        receiver.close();
    }

    void start(String schedule, Map<String, String> extra) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", schedule);
        env.put("HERALD_OPERATIONAL_WEBHOOK_URL", receiver.url("/ops"));
        env.put("HERALD_OPERATIONAL_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        env.putAll(extra);
        herald = TestHerald.start(env, clock);
        app = herald.api.post("/api/v1/app", json("name", "retry")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/hook"))).text("id");
    }

    String publish() {
        var response = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"a\":1}}");
        assertThat(response.status()).isEqualTo(202);
        return response.text("id");
    }

    JsonNode attempts(String msgId, int expected) {
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msgId).body().path("data").size() >= expected,
                expected + " attempts of " + msgId);
        return herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msgId + "?order=ascending").body().path("data");
    }

    void runDueAt(Instant at) {
        clock.set(at);
        herald.herald.wakeDispatcher();
    }

    static Instant nextAttempt(JsonNode attempt) {
        return Instant.parse(attempt.path("nextAttempt").asText());
    }

    @Test
    void retries_after_500_with_backoff_within_jitter_bounds_then_exhausts() throws Exception {
        start("0,10,100,1000", Map.of());
        receiver.reply(r -> Receiver.Reply.status(500));
        String msg = publish();

        Instant previous = T0;
        long[] delays = {10, 100, 1000};
        for (int i = 0; i < delays.length; i++) {
            JsonNode attempt = attempts(msg, i + 1).get(i);
            assertThat(attempt.path("status").asInt()).isEqualTo(2);
            assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(500);
            assertThat(attempt.path("attemptNumber").asInt()).isEqualTo(i + 1);
            Instant next = nextAttempt(attempt);
            assertThat(Duration.between(previous, next).toMillis())
                    .isBetween(delays[i] * 800, delays[i] * 1200);
            // one second early: not due yet
            runDueAt(next.minusSeconds(1));
            assertThat(receiver.requests("/hook")).hasSize(i + 1);
            runDueAt(next);
            previous = next;
        }
        JsonNode last = attempts(msg, 4).get(3);
        assertThat(last.path("nextAttempt").isNull()).isTrue();
        var states = herald.api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint").body().path("data");
        assertThat(states.get(0).path("status").asInt()).isEqualTo(2);
        runDueAt(previous.plus(Duration.ofDays(30)));
        assertThat(receiver.requests("/hook")).hasSize(4);
        Receiver.await(WAIT, () -> receiver.requests("/ops").stream().anyMatch(r -> r.body().contains("message.attempt.exhausted")),
                "exhausted operational webhook");
        // Svix's MessageAttemptExhaustedEventData: the last attempt named by its id
        var exhausted = receiver.requests("/ops").stream().filter(r -> r.body().contains("message.attempt.exhausted"))
                .findFirst().orElseThrow();
        JsonNode data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(exhausted.body()).path("data");
        assertThat(data.path("msgId").asText()).isEqualTo(msg);
        assertThat(data.has("appUid")).isTrue();
        assertThat(data.has("msgEventId")).isTrue();
        assertThat(data.path("lastAttempt").path("id").asText()).isEqualTo(last.path("id").asText());
        assertThat(data.path("lastAttempt").path("responseStatusCode").asInt()).isEqualTo(500);
    }

    /** The message's scheduled delivery: its state, and how many queue rows it has (none once it is done). */
    record Scheduled(int status, int queueRows) {}

    Scheduled scheduled(String msgId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select d.status, (select count(*) from delivery_queue q where q.delivery_id = d.id) as rows
                from delivery d where d.msg_id = :msg and d.trigger_type = 0
                """).bind("msg", msgId).map((rs, ctx) -> new Scheduled(rs.getInt("status"), rs.getInt("rows"))).one());
    }

    /** As svix-server: a resend that arrives ends the message's scheduled retries there; one that fails leaves them. */
    @Test
    void a_resend_that_arrives_ends_the_scheduled_retry_and_one_that_fails_does_not() {
        start("0,10,100", Map.of());
        var failing = new java.util.concurrent.atomic.AtomicBoolean(true);
        receiver.reply(r -> Receiver.Reply.status(r.path().equals("/hook") && failing.get() ? 500 : 200));
        String msg = publish();
        Instant retryAt = nextAttempt(attempts(msg, 1).get(0));
        String resend = "/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + endpoint + "/resend";

        assertThat(herald.api.post(resend, null).status()).isEqualTo(202);
        JsonNode failedResend = attempts(msg, 2).get(1);
        assertThat(failedResend.path("triggerType").asInt()).isEqualTo(1);
        assertThat(failedResend.path("status").asInt()).isEqualTo(2);
        assertThat(scheduled(msg)).as("a failed resend leaves the retry queued").isEqualTo(new Scheduled(1, 1));
        // and the message's state there stays pending, with that retry's time (the newest delivery, the failed resend,
        // said "failed" with no next attempt), as svix-server's destination stays pending
        var pending = herald.api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint").body().path("data").get(0);
        assertThat(pending.path("status").asInt()).as(pending.toString()).isEqualTo(1);
        assertThat(nextAttempt(pending)).isEqualTo(retryAt);
        var listed = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/msg").body().path("data").get(0);
        assertThat(listed.path("status").asInt()).as(listed.toString()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1)); // the stats window ends at now, the message's second excluded till it passes
        var stats = herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/stats").body();
        assertThat(stats.path("pending").asInt()).as(stats.toString()).isEqualTo(1);
        assertThat(stats.path("fail").asInt()).as(stats.toString()).isZero();

        failing.set(false);
        assertThat(herald.api.post(resend, null).status()).isEqualTo(202);
        JsonNode arrived = attempts(msg, 3).get(2);
        assertThat(arrived.path("triggerType").asInt()).isEqualTo(1);
        assertThat(arrived.path("status").asInt()).isZero();
        Receiver.await(WAIT, () -> scheduled(msg).equals(new Scheduled(0, 0)), "the scheduled delivery done, its queue row gone");
        var state = herald.api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint").body().path("data").get(0);
        assertThat(state.path("status").asInt()).isZero();
        assertThat(state.path("nextAttempt").isNull()).as(state.toString()).isTrue();

        runDueAt(retryAt.plusSeconds(1)); // with no queue row there is nothing to claim: the retry's time passes
        assertThat(herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data")).hasSize(3);
        assertThat(receiver.requests("/hook").stream().filter(r -> msg.equals(r.header("webhook-id")))).hasSize(3);
    }

    @Test
    void honours_retry_after_between_one_and_two_times_the_schedule() {
        start("0,10,10,10", Map.of());
        var answers = new String[] {"15", "100", "1"};
        var calls = new AtomicInteger();
        receiver.reply(r -> !r.path().equals("/hook") ? Receiver.Reply.status(200)
                : new Receiver.Reply(503, Map.of("Retry-After", answers[Math.min(calls.getAndIncrement(), 2)]), Duration.ZERO));
        String msg = publish();

        // each honoured delay plus up to 20% jitter, never less than honoured
        JsonNode first = attempts(msg, 1).get(0);
        assertThat(Duration.between(T0, nextAttempt(first))).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(18));
        runDueAt(nextAttempt(first));
        JsonNode second = attempts(msg, 2).get(1);
        assertThat(Duration.between(nextAttempt(first), nextAttempt(second))).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(24));
        runDueAt(nextAttempt(second));
        JsonNode third = attempts(msg, 3).get(2);
        assertThat(Duration.between(nextAttempt(second), nextAttempt(third))).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(12));
    }

    /** A URL made from the message (…/items/{{payload.id}}): its 410 says that item is gone, not the endpoint. */
    @Test
    void a_410_from_a_url_the_transformation_made_ends_that_delivery_only() {
        start("0,10,100", Map.of());
        receiver.reply(r -> r.path().endsWith("/1") ? Receiver.Reply.status(410) : Receiver.Reply.status(200));
        var patched = herald.api.patch("/api/v1/app/" + app + "/endpoint/" + endpoint, "{\"transformation\":{\"url\":\""
                + receiver.url("/items/") + "{{payload.a}}\"}}");
        assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
        String gone = publish(); // payload a = 1
        JsonNode attempt = attempts(gone, 1).get(0);
        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(410);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean())
                .as("the endpoint stays enabled").isFalse();
        var next = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"a\":2}}");
        Receiver.await(WAIT, () -> !receiver.requests("/items/2").isEmpty(), "the next message delivered");
        assertThat(receiver.requests("/items/1")).as("the gone one not tried again").hasSize(1);
        assertThat(next.status()).isEqualTo(202);
    }

    @Test
    void gone_410_disables_the_endpoint_at_once() {
        start("0,10,100", Map.of());
        receiver.reply(r -> Receiver.Reply.status(410));
        String msg = publish();
        JsonNode attempt = attempts(msg, 1).get(0);
        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(410);
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean(),
                "endpoint disabled");
        Receiver.await(WAIT, () -> receiver.requests("/ops").stream().anyMatch(r -> r.body().contains("\"endpoint.disabled\"")),
                "endpoint.disabled operational webhook");
        publish();
        runDueAt(T0.plus(Duration.ofHours(1)));
        assertThat(receiver.requests("/hook")).hasSize(1);
    }

    @Test
    void disables_an_endpoint_failing_longer_than_the_limit_and_a_success_resets_the_clock() {
        start("0,10", Map.of("HERALD_DISABLE_AFTER", "1h"));
        receiver.reply(r -> Receiver.Reply.status(500));
        String first = publish();
        runDueAt(nextAttempt(attempts(first, 1).get(0)));
        attempts(first, 2);
        // exhausted only 10 s after the first failure: still enabled
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean()).isFalse();

        // a success in between resets the failing clock
        receiver.reply(r -> Receiver.Reply.status(200));
        runDueAt(T0.plus(Duration.ofMinutes(50)));
        String ok = publish();
        attempts(ok, 1);
        receiver.reply(r -> Receiver.Reply.status(500));
        runDueAt(T0.plus(Duration.ofMinutes(90)));
        String second = publish();
        runDueAt(nextAttempt(attempts(second, 1).get(0)));
        attempts(second, 2);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean())
                .as("failing only since minute 90, not for an hour").isFalse();

        runDueAt(T0.plus(Duration.ofMinutes(200)));
        String third = publish();
        attempts(third, 1); // its first failure, past the hour, disables it: retries left or not
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean(),
                "endpoint disabled after failing for more than an hour");
    }

    /**
     * With its circuit breaker open an endpoint gets about one attempt a minute, so its deliveries take days to use up
     * their retries: a failure while the failing clock is past the limit disables it, retries left or not.
     */
    @Test
    void a_failure_past_the_limit_disables_the_endpoint_before_any_delivery_used_up_its_retries() {
        start("0,3600,3600,3600", Map.of("HERALD_DISABLE_AFTER", "30m"));
        receiver.reply(r -> Receiver.Reply.status(500));
        String first = publish();
        JsonNode firstAttempt = attempts(first, 1).get(0);
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean()).isFalse();
        // about an hour of failing (past the 30 minutes), the first delivery still with two retries left
        runDueAt(nextAttempt(firstAttempt));
        attempts(first, 2);
        Receiver.await(WAIT, () -> herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint).body().path("disabled").asBoolean(),
                "endpoint disabled on a failure past the limit");
        Receiver.await(WAIT, () -> receiver.requests("/ops").stream().anyMatch(r -> r.body().contains("\"endpoint.disabled\"")),
                "endpoint.disabled operational webhook");
    }

    /** HERALD_DISABLE_AFTER=0s: the first delivery to use up its retries disables the endpoint, not its first failure. */
    @Test
    void with_a_zero_limit_the_first_delivery_to_use_up_its_retries_disables_the_endpoint_not_a_first_failure() {
        start("0,10", Map.of("HERALD_DISABLE_AFTER", "0s"));
        receiver.reply(r -> Receiver.Reply.status(500));
        String first = publish();
        JsonNode firstAttempt = attempts(first, 1).get(0);
        String path = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        assertThat(herald.api.get(path).body().path("disabled").asBoolean()).as("a retry is left").isFalse();
        runDueAt(nextAttempt(firstAttempt));
        attempts(first, 2);
        Receiver.await(WAIT, () -> herald.api.get(path).body().path("disabled").asBoolean(), "disabled once its retries ran out");
    }

    /** Enabled again by its owner, an endpoint's failing clock starts afresh: counted from before, it was disabled again at once. */
    @Test
    void an_endpoint_enabled_again_starts_its_failing_clock_afresh() {
        start("0,10", Map.of("HERALD_DISABLE_AFTER", "1h"));
        receiver.reply(r -> Receiver.Reply.status(500));
        String first = publish();
        runDueAt(nextAttempt(attempts(first, 1).get(0)));
        attempts(first, 2);
        runDueAt(T0.plus(Duration.ofMinutes(70)));
        String second = publish();
        attempts(second, 1);
        String path = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        Receiver.await(WAIT, () -> herald.api.get(path).body().path("disabled").asBoolean(), "disabled after an hour failing");

        assertThat(herald.api.patch(path, "{\"disabled\":false}").status()).isEqualTo(200);
        runDueAt(T0.plus(Duration.ofMinutes(80)));
        String third = publish();
        runDueAt(nextAttempt(attempts(third, 1).get(0)));
        attempts(third, 2);
        assertThat(herald.api.get(path).body().path("disabled").asBoolean()).as("failing 10 s since it was enabled").isFalse();
    }

    @Test
    void operational_webhooks_report_endpoint_changes_failing_and_recovery() throws Exception {
        start("0,1,1,1,1,1", Map.of());
        var calls = new AtomicInteger();
        // one failure, then a success: no failing event went out, so no recovered one pairs with it (as Svix)
        receiver.reply(r -> r.path().equals("/hook") && calls.incrementAndGet() <= 1 ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        String once = publish();
        runDueAt(nextAttempt(attempts(once, 1).get(0)));
        assertThat(attempts(once, 2).get(1).path("status").asInt()).isZero();
        calls.set(0);
        receiver.reply(r -> r.path().equals("/hook") && calls.incrementAndGet() <= 4 ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        String msg = publish();
        for (int i = 1; i <= 4; i++) runDueAt(nextAttempt(attempts(msg, i).get(i - 1)));
        JsonNode fifth = attempts(msg, 5).get(4);
        assertThat(fifth.path("status").asInt()).isEqualTo(0);
        Receiver.await(WAIT, () -> receiver.requests("/ops").stream().anyMatch(r -> r.body().contains("message.attempt.recovered")),
                "recovered webhook");
        var types = receiver.requests("/ops").stream().map(Receiver.Request::body).toList();
        assertThat(types.stream().filter(b -> b.contains("message.attempt.recovered")))
                .singleElement().asString().contains(msg).doesNotContain(once);
        assertThat(types).anyMatch(b -> b.contains("\"endpoint.created\""));
        assertThat(types).anyMatch(b -> b.contains("\"message.attempt.failing\""));
        var op = receiver.requests("/ops").get(0);
        var headers = java.net.http.HttpHeaders.of(Map.of(
                "webhook-id", java.util.List.of(op.header("webhook-id")),
                "webhook-timestamp", java.util.List.of(op.header("webhook-timestamp")),
                "webhook-signature", java.util.List.of(op.header("webhook-signature"))), (a, b) -> true);
        // signed with the operational secret; the timestamp is the test clock's, so verify the signature itself
        String expected = dev.herald.outbound.Signer.signature(dev.herald.outbound.Signer.keyFromSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                op.header("webhook-id"), Long.parseLong(op.header("webhook-timestamp")), op.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(op.header("webhook-signature")).contains(expected);
        assertThat(headers.firstValue("webhook-id")).isPresent();
    }
}
