package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.attempts;
import static dev.herald.delivery.DeliveryFixture.data;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.pause;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.delivery.DeliveryFixture.secret;
import static dev.herald.delivery.DeliveryFixture.verify;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.svix.exceptions.WebhookVerificationException;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a receiver and an API user see of delivery with the default configuration. */
@ExtendWith(TestDatabase.class)
class DeliveryBehaviourTest {
    static TestHerald herald;
    static ApiClient api;
    Receiver receiver;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        api = herald.api;
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    // --- headers and signatures

    @Test
    void sends_custom_headers_user_agent_json_and_only_webhook_signature_headers_by_default() throws Exception {
        String app = app(api, "headers");
        String ep = endpoint(api, app, receiver.url("/h"), "headers", Map.of("X-Tenant", "acme", "Authorization", "Bearer abc"));
        String msg = publish(api, app, "{\"eventType\":\"h.t\",\"payload\":{\"a\":1}}");

        Receiver.await(WAIT, () -> receiver.requests("/h").size() == 1, "delivery");
        var request = receiver.requests("/h").get(0);
        assertThat(request.header("x-tenant")).isEqualTo("acme");
        assertThat(request.header("authorization")).isEqualTo("Bearer abc");
        assertThat(request.header("user-agent")).startsWith("Herald/");
        assertThat(request.header("content-type")).as("exactly one content type").isEqualTo("application/json");
        assertThat(request.header("webhook-id")).isEqualTo(msg);
        assertThat(request.headers().keySet()).noneMatch(name -> name.startsWith("svix-"));
        verify(secret(api, app, ep), request, "webhook");
    }

    /**
     * Sealed at rest, an endpoint's headers are opened for each send: a first attempt written leased at publish and a
     * retry taken by a claim both carry them.
     */
    @Test
    void custom_headers_go_with_the_first_attempt_and_with_a_retry() {
        var env = new java.util.HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,1");
        try (var retrying = TestHerald.start(env, java.time.Clock.systemUTC())) {
            var calls = new java.util.concurrent.atomic.AtomicInteger();
            receiver.reply(request -> Receiver.Reply.status(calls.incrementAndGet() == 1 ? 503 : 204));
            String app = app(retrying.api, "sealed-headers");
            endpoint(retrying.api, app, receiver.url("/sealed"), "headers", Map.of("Authorization", "Bearer sealed-1", "X-Tenant", "t1"));
            publish(retrying.api, app, "{\"eventType\":\"h.t\",\"payload\":{}}");
            Receiver.await(WAIT, () -> receiver.requests("/sealed").size() == 2, "the first attempt and its retry");
            for (var request : receiver.requests("/sealed")) {
                assertThat(request.header("authorization")).isEqualTo("Bearer sealed-1");
                assertThat(request.header("x-tenant")).isEqualTo("t1");
            }
        }
    }

    /**
     * Publishes at once share the publish's batch and the dispatcher's: each delivery must carry its own endpoint's
     * sealed headers, opened for it, not a neighbour's in the same batch.
     */
    @Test
    void concurrent_publishes_to_endpoints_with_different_sealed_headers_each_send_their_own() throws Exception {
        String first = app(api, "sealed-mix-1");
        String second = app(api, "sealed-mix-2");
        endpoint(api, first, receiver.url("/mix-a"), "headers", Map.of("Authorization", "Bearer a"));
        endpoint(api, first, receiver.url("/mix-b"), "headers", Map.of("Authorization", "Bearer b", "X-Only-B", "b"));
        endpoint(api, second, receiver.url("/mix-c"), "headers", Map.of("Authorization", "Bearer c"));
        int each = 40;
        try (var pool = Executors.newFixedThreadPool(16)) {
            var sent = new ArrayList<Future<?>>();
            for (int i = 0; i < each; i++) {
                int n = i;
                sent.add(pool.submit(() -> publish(api, first, "{\"eventType\":\"h.t\",\"payload\":{\"n\":" + n + "}}")));
                sent.add(pool.submit(() -> publish(api, second, "{\"eventType\":\"h.t\",\"payload\":{\"n\":" + n + "}}")));
            }
            for (var future : sent) future.get();
        }
        Receiver.await(WAIT, () -> receiver.messageIds("/mix-a").size() == each && receiver.messageIds("/mix-b").size() == each
                && receiver.messageIds("/mix-c").size() == each, "every delivery");
        for (String path : List.of("a", "b", "c")) {
            for (var request : receiver.requests("/mix-" + path)) {
                assertThat(request.header("authorization")).as(path).isEqualTo("Bearer " + path);
                assertThat(request.header("x-only-b")).as(path).isEqualTo(path.equals("b") ? "b" : null);
            }
        }
    }

    @Test
    void a_custom_content_type_replaces_the_default_as_in_svix_and_the_signature_still_verifies() throws Exception {
        String app = app(api, "ctype");
        String ep = endpoint(api, app, receiver.url("/ct"), "headers", Map.of("Content-Type", "application/cloudevents+json"));
        publish(api, app, "{\"eventType\":\"h.t\",\"payload\":{\"a\":1}}");
        Receiver.await(WAIT, () -> receiver.requests("/ct").size() == 1, "delivery");
        var request = receiver.requests("/ct").get(0);
        assertThat(request.header("content-type")).isEqualTo("application/cloudevents+json");
        verify(secret(api, app, ep), request, "webhook");
    }

    @Test
    void custom_headers_changed_later_are_sent_on_the_next_delivery() {
        String app = app(api, "headers2");
        String ep = endpoint(api, app, receiver.url("/h2"));
        var put = api.put("/api/v1/app/" + app + "/endpoint/" + ep + "/headers", json("headers", Map.of("X-Version", "2")));
        assertThat(put.status()).as(put.toString()).isEqualTo(204);
        publish(api, app, "{\"eventType\":\"h.t\",\"payload\":{}}");
        Receiver.await(WAIT, () -> receiver.requests("/h2").size() == 1, "delivery");
        assertThat(receiver.requests("/h2").get(0).header("x-version")).isEqualTo("2");
    }

    @Test
    void after_rotation_the_signature_carries_new_and_old_secret_and_verifies_with_either() throws Exception {
        String app = app(api, "rotate");
        String ep = endpoint(api, app, receiver.url("/r"));
        String oldSecret = secret(api, app, ep);
        var rotated = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/secret/rotate", "{}");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(204);
        String newSecret = secret(api, app, ep);
        assertThat(newSecret).isNotEqualTo(oldSecret);

        publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"k\":\"v\"}}");
        Receiver.await(WAIT, () -> receiver.requests("/r").size() == 1, "delivery");
        var request = receiver.requests("/r").get(0);
        var signatures = request.header("webhook-signature").split(" ");
        assertThat(signatures).hasSize(2).allMatch(s -> s.startsWith("v1,"));
        verify(newSecret, request, "webhook");
        verify(oldSecret, request, "webhook");
        assertThatThrownBy(() -> verify("whsec_" + "A".repeat(32), request, "webhook"))
                .isInstanceOf(WebhookVerificationException.class);
    }

    // --- redirects

    @Test
    void redirects_are_not_followed_and_the_attempt_fails_with_the_3xx_status() {
        receiver.reply(r -> r.path().equals("/moved")
                ? new Receiver.Reply(302, Map.of("Location", receiver.url("/elsewhere")), Duration.ZERO)
                : Receiver.Reply.status(200));
        String app = app(api, "redirect");
        endpoint(api, app, receiver.url("/moved"));
        String msg = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{}}");

        var attempt = attempts(api, app, msg, 1).get(0);
        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(302);
        assertThat(attempt.path("status").asInt()).isEqualTo(2);
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/elsewhere")).isEmpty();
        assertThat(receiver.requests("/moved")).hasSize(1);
    }

    // --- deletion while a delivery is in flight

    @Test
    void deleting_an_endpoint_while_its_delivery_is_in_flight_does_not_stop_other_deliveries() {
        assertDeletionMidFlightLeavesDeliveryRunning(true);
    }

    @Test
    void deleting_an_app_while_its_delivery_is_in_flight_does_not_stop_other_deliveries() {
        assertDeletionMidFlightLeavesDeliveryRunning(false);
    }

    private void assertDeletionMidFlightLeavesDeliveryRunning(boolean deleteEndpoint) {
        receiver.reply(r -> r.path().equals("/doomed")
                ? new Receiver.Reply(200, Map.of(), Duration.ofMillis(500))
                : Receiver.Reply.status(200));
        String doomedApp = app(api, "doomed");
        String doomed = endpoint(api, doomedApp, receiver.url("/doomed"));
        String otherApp = app(api, "other");
        endpoint(api, otherApp, receiver.url("/other"));

        publish(api, doomedApp, "{\"eventType\":\"d.t\",\"payload\":{}}");
        Receiver.await(WAIT, () -> receiver.requests("/doomed").size() == 1, "the doomed delivery to be in flight");
        var deleted = deleteEndpoint
                ? api.delete("/api/v1/app/" + doomedApp + "/endpoint/" + doomed)
                : api.delete("/api/v1/app/" + doomedApp);
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        // the doomed response answered, so its completion comes back before the other deliveries (a pause of 700 ms
        // stood for this, and on a slow host could end first)
        Receiver.await(WAIT, () -> receiver.inFlight("/doomed") == 0, "the doomed response answered");

        for (int i = 0; i < 3; i++) {
            String msg = publish(api, otherApp, "{\"eventType\":\"d.t\",\"payload\":{\"i\":" + i + "}}");
            var attempt = attempts(api, otherApp, msg, 1).get(0);
            assertThat(attempt.path("status").asInt()).isZero();
        }
        assertThat(receiver.requests("/other")).hasSize(3);
        assertThat(receiver.requests("/doomed")).hasSize(1);
    }

    /**
     * The delete once removed the endpoint's deliveries in its own statement, so it waited on every row the delivery
     * path held: 28 s for 400,000 deliveries of an endpoint still delivering, then a deadlock with the recorder (503).
     */
    @Test
    void deleting_an_endpoint_answers_at_once_while_its_delivery_rows_are_in_use_and_the_sweep_removes_them() throws Exception {
        String app = app(api, "held");
        String held = endpoint(api, app, receiver.url("/held"));
        assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + held + "/pause", "{}").status()).isEqualTo(204);
        for (int i = 0; i < 3; i++) publish(api, app, "{\"eventType\":\"h.t\",\"payload\":{}}");
        var jdbi = TestDatabase.jdbi();
        try (var recorder = jdbi.open(); var pool = java.util.concurrent.Executors.newSingleThreadExecutor()) {
            recorder.begin(); // as the recorder holds a delivery row while it writes its result
            recorder.createUpdate("update delivery set updated_at = now() where endpoint_id = :ep").bind("ep", held).execute();

            var deleting = pool.submit(() -> api.delete("/api/v1/app/" + app + "/endpoint/" + held));
            var deleted = deleting.get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
            assertThat(api.get("/api/v1/app/" + app + "/endpoint/" + held).status()).isEqualTo(404);
            recorder.commit();
        }
        // no sweep is asked for: the janitor looks for deletes to purge every few seconds
        Receiver.await(Duration.ofSeconds(20), () -> jdbi.withHandle(h -> h.createQuery("""
                select not exists (select 1 from delivery where endpoint_id = :ep)
                   and not exists (select 1 from delivery_queue where endpoint_id = :ep)
                   and not exists (select 1 from purge_pending)
                """).bind("ep", held).mapTo(Boolean.class).one()), "the deleted endpoint's rows to be purged");
        assertThat(receiver.requests("/held")).isEmpty();
    }

    @Test
    void an_endpoint_whose_secret_cannot_be_opened_fails_its_own_attempts_without_holding_up_others() {
        String app = app(api, "tampered");
        String broken = endpoint(api, app, receiver.url("/broken"));
        String fine = endpoint(api, app, receiver.url("/fine"));
        // e.g. a row restored from another installation, sealed with a key this one does not have
        TestDatabase.jdbi().useHandle(h -> h.createUpdate("update endpoint_secret set ciphertext = :junk where endpoint_id = :ep")
                .bind("junk", new byte[] {1, 2, 3}).bind("ep", broken).execute());

        String msg = publish(api, app, "{\"eventType\":\"t.t\",\"payload\":{}}");
        Receiver.await(WAIT, () -> receiver.requests("/fine").size() == 1, "delivery to the healthy endpoint");
        var byEndpoint = new java.util.HashMap<String, com.fasterxml.jackson.databind.JsonNode>();
        attempts(api, app, msg, 2).forEach(a -> byEndpoint.put(a.path("endpointId").asText(), a));
        assertThat(byEndpoint.get(fine).path("status").asInt()).isZero();
        assertThat(byEndpoint.get(broken).path("status").asInt()).isEqualTo(2);
        assertThat(byEndpoint.get(broken).path("errorMessage").asText()).containsIgnoringCase("secret");
        assertThat(receiver.requests("/broken")).as("nothing unsigned goes out").isEmpty();
    }

    // --- idempotency-key

    @Test
    void same_idempotency_key_and_body_replays_the_first_answer_and_sends_once() {
        String app = app(api, "idem");
        endpoint(api, app, receiver.url("/i"));
        String body = "{\"eventType\":\"i.t\",\"payload\":{\"n\":1}}";
        var first = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-1");
        var second = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-1");

        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(first.status());
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.text("id")).isEqualTo(first.text("id"));
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).hasSize(1);
        Receiver.await(WAIT, () -> receiver.requests("/i").size() == 1, "delivery");
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/i")).hasSize(1);
    }

    @Test
    void a_publish_stores_its_answer_under_its_key_in_the_message_commit() {
        String app = app(api, "idem5");
        String body = "{\"eventType\":\"i.t\",\"payload\":{\"n\":5}}";
        var first = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "auto_key-5");
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        // the row the message's own transaction wrote: the exact answer sent, so a retry gets the same bytes
        var stored = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select status, response from idempotency_key where key = 'auto_key-5'")
                .map((rs, ctx) -> rs.getInt("status") + " " + rs.getString("response")).one());
        assertThat(stored).isEqualTo("202 " + first.raw());
        var again = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "auto_key-5");
        assertThat(again.raw()).isEqualTo(first.raw());
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).hasSize(1);
    }

    @Test
    void a_publish_refused_as_a_duplicate_event_id_is_not_stored_as_accepted() {
        String app = app(api, "idem6");
        String body = "{\"eventType\":\"i.t\",\"eventId\":\"evt-6\",\"payload\":{}}";
        assertThat(api.post("/api/v1/app/" + app + "/msg", body).status()).isEqualTo(202);
        var refused = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-6");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        var again = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-6");
        assertThat(again.status()).as("no 202 was stored under the key of a refused publish").isEqualTo(409);
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).hasSize(1);
    }

    @Test
    void same_idempotency_key_with_a_different_body_is_refused() {
        String app = app(api, "idem2");
        var first = api.send("POST", "/api/v1/app/" + app + "/msg", "{\"eventType\":\"i.t\",\"payload\":{\"n\":1}}",
                "idempotency-key", "key-2");
        var other = api.send("POST", "/api/v1/app/" + app + "/msg", "{\"eventType\":\"i.t\",\"payload\":{\"n\":2}}",
                "idempotency-key", "key-2");
        assertThat(first.status()).isEqualTo(202);
        assertThat(other.status()).as(other.toString()).isBetween(400, 499);
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).hasSize(1);
    }

    @Test
    void ten_concurrent_requests_with_one_idempotency_key_create_exactly_one_message() throws Exception {
        String app = app(api, "idem3");
        endpoint(api, app, receiver.url("/c"));
        String body = "{\"eventType\":\"i.t\",\"payload\":{\"n\":3}}";
        var go = new CountDownLatch(1);
        var responses = new ArrayList<Future<ApiClient.Response>>();
        try (var pool = Executors.newFixedThreadPool(10)) {
            for (int i = 0; i < 10; i++) {
                responses.add(pool.submit(() -> {
                    go.await();
                    return api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-3");
                }));
            }
            go.countDown();
        }
        var ids = new java.util.HashSet<String>();
        for (var f : responses) {
            var response = f.get();
            // the one that ran and every duplicate answer 202: a duplicate racing the first meets its key only once
            // the first's message is committed (the key is claimed with it), so it replays the answer, never a 409
            assertThat(response.status()).as(response.toString()).isEqualTo(202);
            ids.add(response.text("id"));
        }
        assertThat(ids).hasSize(1);
        var messages = data(api, "/api/v1/app/" + app + "/msg");
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("id").asText()).isEqualTo(ids.iterator().next());
        Receiver.await(WAIT, () -> receiver.requests("/c").size() == 1, "delivery");
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/c")).hasSize(1);
    }

    @Test
    void a_key_left_in_progress_by_a_crashed_request_is_taken_over_once_stale() {
        String app = app(api, "idem4");
        String body = "{\"eventType\":\"i.t\",\"payload\":{\"n\":4}}";
        // what a node killed mid-request leaves behind: a claimed key with no stored answer
        String path = "/api/v1/app/" + app + "/msg";
        leaveInProgress("key-crashed", path, body, java.time.Instant.now().minus(Duration.ofMinutes(2)));
        leaveInProgress("key-running", path, body, java.time.Instant.now());

        var retried = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-crashed");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        var replay = api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-crashed");
        assertThat(replay.text("id")).isEqualTo(retried.text("id"));
        // a request still running is not run twice: the same one sent again waits for its answer (as svix-server does)
        var running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> api.send("POST", "/api/v1/app/" + app + "/msg", body, "idempotency-key", "key-running"));
        pause(Duration.ofMillis(500));
        assertThat(running).isNotDone();
        TestDatabase.jdbi().useHandle(h -> h.execute(
                "update idempotency_key set status = 202, response = '{\"id\":\"msg_answered_by_the_first\"}' where key = 'key-running'"));
        var answered = running.join();
        assertThat(answered.status()).as(answered.toString()).isEqualTo(202);
        assertThat(answered.text("id")).isEqualTo("msg_answered_by_the_first");
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).hasSize(1);
    }

    /** The row a claim of this exact request by the env admin token writes (scope: token and URL; hash of method, path and body). */
    private static void leaveInProgress(String key, String path, String body, java.time.Instant claimedAt) {
        byte[] hash;
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(("POST\0" + path + "\0" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            hash = digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        TestDatabase.jdbi().useHandle(h -> h.createUpdate("""
                insert into idempotency_key (scope, key, request_hash, created_at) values (:scope, :key, :hash, :at)
                """).bind("scope", "env " + path).bind("key", key).bind("hash", hash).bind("at", claimedAt).execute());
    }

    // --- publishing validation

    @Test
    void publishing_without_event_type_or_payload_is_a_422() {
        String app = app(api, "valid");
        assertThat(api.post("/api/v1/app/" + app + "/msg", "{\"payload\":{}}").status()).isEqualTo(422);
        var noPayload = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"v.t\"}");
        assertThat(noPayload.status()).isEqualTo(422);
        assertThat(noPayload.raw()).contains("payload");
    }

    @Test
    void a_payload_that_is_not_a_json_object_is_a_422() {
        String app = app(api, "valid2");
        for (String payload : List.of("[1,2]", "\"text\"", "42", "null")) {
            var response = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"v.t\",\"payload\":" + payload + "}");
            assertThat(response.status()).as(payload + " -> " + response).isEqualTo(422);
        }
        var raw = api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"v.t\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":\"[1]\"}}");
        assertThat(raw.status()).as(raw.toString()).isEqualTo(422);
        var notJson = api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"v.t\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":\"{nope\"}}");
        assertThat(notJson.status()).as(notJson.toString()).isEqualTo(422);
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).isEmpty();
    }

    @Test
    void a_payload_number_beyond_a_doubles_range_is_a_422_and_the_largest_and_smallest_are_taken() {
        String app = app(api, "range");
        for (String number : List.of("1e999999", "-1e400", "1.8e308")) {
            var response = api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"v.t\",\"payload\":{\"deep\":[{\"n\":" + number + "}]}}");
            assertThat(response.status()).as(number + " -> " + response).isEqualTo(422);
            assertThat(response.raw()).contains("number out of range", "\"payload\"");
            var raw = api.post("/api/v1/app/" + app + "/msg", json("eventType", "v.t", "payload", Map.of(),
                    "transformationsParams", Map.of("rawPayload", "{\"n\":" + number + "}")));
            assertThat(raw.status()).as("rawPayload " + number + " -> " + raw).isEqualTo(422);
        }
        assertThat(data(api, "/api/v1/app/" + app + "/msg")).isEmpty();
        // a double's own extremes, and an underflow (read as 0 by every parser), are fine
        for (String number : List.of("1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324", "1e-999999")) {
            assertThat(api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"v.t\",\"payload\":{\"n\":" + number + "}}").status())
                    .as(number).isEqualTo(202);
        }
    }

    @Test
    void the_sdk_raw_payload_string_arrives_byte_for_byte() {
        String app = app(api, "raw");
        endpoint(api, app, receiver.url("/raw"));
        String raw = "{\"b\": 1.10,  \"a\":[2e3, \"\\u00e9\"], \"z\" : null}";
        var body = json("eventType", "raw.t", "payload", Map.of(), "transformationsParams", Map.of("rawPayload", raw));
        publish(api, app, body);
        Receiver.await(WAIT, () -> receiver.requests("/raw").size() == 1, "delivery");
        assertThat(receiver.requests("/raw").get(0).body()).isEqualTo(raw);
    }

    @Test
    void data_is_accepted_as_an_alias_of_payload() {
        String app = app(api, "alias");
        endpoint(api, app, receiver.url("/d"));
        String msg = publish(api, app, "{\"eventType\":\"d.t\",\"data\":{\"x\":1}}");
        Receiver.await(WAIT, () -> receiver.requests("/d").size() == 1, "delivery");
        assertThat(receiver.requests("/d").get(0).body()).isEqualTo("{\"x\":1}");
        assertThat(api.get("/api/v1/app/" + app + "/msg/" + msg).body().path("payload").path("x").asInt()).isEqualTo(1);
    }

    @Test
    void publishing_to_an_unknown_app_is_a_404() {
        var response = api.post("/api/v1/app/app_doesnotexist/msg", "{\"eventType\":\"u.t\",\"payload\":{}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(api.post("/api/v1/app/no-such-uid/msg", "{\"eventType\":\"u.t\",\"payload\":{}}").status()).isEqualTo(404);
    }

    @Test
    void application_in_the_body_creates_the_app_on_the_fly() {
        var response = api.post("/api/v1/app/fly-uid/msg",
                "{\"eventType\":\"f.t\",\"payload\":{\"a\":1},\"application\":{\"name\":\"On the fly\",\"uid\":\"fly-uid\"}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        var app = api.get("/api/v1/app/fly-uid");
        assertThat(app.status()).isEqualTo(200);
        assertThat(app.text("name")).isEqualTo("On the fly");
        assertThat(data(api, "/api/v1/app/fly-uid/msg")).hasSize(1);

        // an existing app is used as is, not created twice
        var again = api.post("/api/v1/app/fly-uid/msg",
                "{\"eventType\":\"f.t\",\"payload\":{\"a\":2},\"application\":{\"name\":\"Other name\",\"uid\":\"fly-uid\"}}");
        assertThat(again.status()).as(again.toString()).isEqualTo(202);
        assertThat(api.get("/api/v1/app/fly-uid").text("name")).isEqualTo("On the fly");
        assertThat(data(api, "/api/v1/app/fly-uid/msg")).hasSize(2);
    }

    @Test
    void an_application_in_the_body_whose_uid_is_not_the_paths_is_a_422_and_nothing_is_made() {
        var response = api.post("/api/v1/app/path-uid/msg",
                "{\"eventType\":\"f.t\",\"payload\":{\"a\":1},\"application\":{\"name\":\"Elsewhere\",\"uid\":\"body-uid\"}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"application\",\"uid\"]");
        assertThat(response.body().path("detail").get(0).path("type").asText()).isEqualTo("application_uid_mismatch");
        assertThat(api.get("/api/v1/app/body-uid").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/app/path-uid").status()).isEqualTo(404);
        // once the path's application exists, the body's is ignored (Svix: "this argument is ignored")
        api.post("/api/v1/app", json("name", "Path", "uid", "path-uid"));
        assertThat(api.post("/api/v1/app/path-uid/msg",
                "{\"eventType\":\"f.t\",\"payload\":{\"a\":1},\"application\":{\"name\":\"Elsewhere\",\"uid\":\"body-uid\"}}").status())
                .isEqualTo(202);
        assertThat(data(api, "/api/v1/app/path-uid/msg")).hasSize(1);
        assertThat(api.get("/api/v1/app/body-uid").status()).isEqualTo(404);
    }
}
