package dev.herald.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** idempotency-key works on every POST, not only on publishing. */
@ExtendWith(TestDatabase.class)
class IdempotencyTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void replays_an_application_create_with_the_same_key() {
        var first = herald.api.send("POST", "/api/v1/app", "{\"name\":\"once\"}", "idempotency-key", "k-app-1");
        var second = herald.api.send("POST", "/api/v1/app", "{\"name\":\"once\"}", "idempotency-key", "k-app-1");
        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(second.text("id")).isEqualTo(first.text("id"));
        assertThat(herald.api.get("/api/v1/app").body().path("data")).hasSize(1);
    }

    /** A client's retry arriving while its first request still runs waits for that answer: a 409 at once read as a conflict. */
    @Test
    void the_same_request_sent_while_the_first_still_runs_gets_its_answer() throws Exception {
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                create function herald_test_slow_app() returns trigger language plpgsql as $$
                begin if new.name = 'slow' then perform pg_sleep(1.5); end if; return new; end $$;
                create trigger herald_test_slow_app before insert on application for each row execute function herald_test_slow_app();
                """));
        try {
            var first = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> herald.api.send("POST", "/api/v1/app", "{\"name\":\"slow\"}", "idempotency-key", "k-slow"));
            // the retry once the first holds the key (its row is written before its slow insert)
            dev.herald.testing.Receiver.await(java.time.Duration.ofSeconds(10), () -> TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from idempotency_key where key = 'k-slow'").mapTo(Long.class).one()) == 1, "the first's claim");
            var retry = herald.api.send("POST", "/api/v1/app", "{\"name\":\"slow\"}", "idempotency-key", "k-slow");
            assertThat(retry.status()).as(retry.raw()).isEqualTo(201);
            assertThat(retry.text("id")).isEqualTo(first.join().text("id"));
            assertThat(herald.api.get("/api/v1/app").body().path("data").findValuesAsText("name")).containsOnlyOnce("slow");
        } finally {
            TestDatabase.jdbi().useHandle(h -> h.execute("""
                    drop trigger herald_test_slow_app on application;
                    drop function herald_test_slow_app();
                    """));
        }
    }

    @Test
    void replays_an_endpoint_create_and_refuses_the_key_for_another_request() {
        String app = herald.api.post("/api/v1/app", "{\"name\":\"a\"}").text("id");
        String body = "{\"url\":\"http://127.0.0.1:9/hook\"}";
        var first = herald.api.send("POST", "/api/v1/app/" + app + "/endpoint", body, "idempotency-key", "k-ep");
        var again = herald.api.send("POST", "/api/v1/app/" + app + "/endpoint", body, "idempotency-key", "k-ep");
        assertThat(again.text("id")).isEqualTo(first.text("id"));
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
        var other = herald.api.send("POST", "/api/v1/app/" + app + "/endpoint", "{\"url\":\"http://127.0.0.1:9/other\"}",
                "idempotency-key", "k-ep");
        assertThat(other.status()).isEqualTo(422);
        assertThat(other.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"header\",\"idempotency-key\"]");
    }

    @Test
    void a_key_belongs_to_its_url_as_in_svix() {
        // e.g. an app that uses its own event id as the key for creating the application and for publishing
        var app = herald.api.send("POST", "/api/v1/app", "{\"name\":\"a\",\"uid\":\"key-url\"}", "idempotency-key", "evt-42");
        var msg = herald.api.send("POST", "/api/v1/app/key-url/msg", "{\"eventType\":\"t\",\"payload\":{}}",
                "idempotency-key", "evt-42");
        assertThat(app.status()).isEqualTo(201);
        assertThat(msg.status()).as(msg.toString()).isEqualTo(202);
        assertThat(msg.text("id")).startsWith("msg_");
        var again = herald.api.send("POST", "/api/v1/app/key-url/msg", "{\"eventType\":\"t\",\"payload\":{}}",
                "idempotency-key", "evt-42");
        assertThat(again.text("id")).as("replayed on its own URL").isEqualTo(msg.text("id"));
        assertThat(herald.api.get("/api/v1/app/key-url/msg").body().path("data")).hasSize(1);
    }

    @Test
    void concurrent_publishes_with_their_own_keys_each_publish_once_and_replay_their_own_answer() throws Exception {
        // as the Svix SDKs publish: a key per POST; many arrive together, so their claims are written together
        herald.api.post("/api/v1/app", "{\"name\":\"sdk\",\"uid\":\"sdk-keys\"}");
        int n = 40;
        var answers = new java.util.concurrent.ConcurrentHashMap<Integer, String>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 2; round++) { // the second round replays the first
                var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (int i = 0; i < n; i++) {
                    int k = i;
                    futures.add(pool.submit(() -> {
                        var r = herald.api.send("POST", "/api/v1/app/sdk-keys/msg",
                                "{\"eventType\":\"t\",\"payload\":{\"k\":" + k + "}}", "idempotency-key", "auto_" + k);
                        assertThat(r.status()).as(r.toString()).isEqualTo(202);
                        String previous = answers.putIfAbsent(k, r.raw());
                        if (previous != null) assertThat(r.raw()).isEqualTo(previous);
                    }));
                }
                for (var f : futures) f.get();
            }
        }
        var listed = herald.api.get("/api/v1/app/sdk-keys/msg?limit=250").body().path("data");
        assertThat(listed).hasSize(n);
        assertThat(answers.values()).doesNotHaveDuplicates().hasSize(n);
        int stored = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select count(*) from idempotency_key where key like 'auto_%' and status = 202").mapTo(Integer.class).one());
        assertThat(stored).as("every key stored with its answer").isEqualTo(n);
    }

    @Test
    void a_publish_claims_its_key_in_the_transaction_of_its_message_not_before() throws Exception {
        // Svix's SDKs send a key with every publish: it is written once, with the message and its answer, so no claim
        // of its own precedes the publish (BENCHMARKS.md, session 22). Seen from outside: while the message's
        // transaction waits, no claim of the key is visible, and then the key and the message appear together.
        String appId = herald.api.post("/api/v1/app", "{\"name\":\"held\",\"uid\":\"held\"}").text("id");
        var blocker = TestDatabase.jdbi().open();
        try {
            blocker.begin();
            // an uncommitted message with the same eventId: the publish's insert waits for this transaction
            blocker.execute("""
                    insert into message (id, app_id, event_type, event_id, payload, created_at, payload_expires_at)
                    values ('msg_blocker', ?, 't', 'evt-held', '{}', now(), now() + interval '1 day')""", appId);
            var publish = java.util.concurrent.CompletableFuture.supplyAsync(() -> herald.api.send("POST",
                    "/api/v1/app/held/msg", "{\"eventType\":\"t\",\"eventId\":\"evt-held\",\"payload\":{}}",
                    "idempotency-key", "k-held"));
            awaitInsertWaitingForALock();
            int visible = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from idempotency_key where key = 'k-held'").mapTo(Integer.class).one());
            assertThat(visible).as("no claim committed before the message").isZero();
            blocker.rollback();
            var answer = publish.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
            String storedId = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select response::json->>'id' from idempotency_key where key = 'k-held' and status = 202")
                    .mapTo(String.class).one());
            assertThat(storedId).isEqualTo(answer.text("id"));
        } finally {
            if (blocker.isInTransaction()) blocker.rollback();
            blocker.close();
        }
        var replay = herald.api.send("POST", "/api/v1/app/held/msg",
                "{\"eventType\":\"t\",\"eventId\":\"evt-held\",\"payload\":{}}", "idempotency-key", "k-held");
        assertThat(replay.status()).isEqualTo(202);
        assertThat(herald.api.get("/api/v1/app/held/msg").body().path("data")).hasSize(1);
    }

    /** Until some backend's insert into the message table waits for a lock (the blocker's transaction). */
    private static void awaitInsertWaitingForALock() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            int waiting = TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                    select count(*) from pg_stat_activity
                    where wait_event_type = 'Lock' and query like '%insert into message%'""").mapTo(Integer.class).one());
            if (waiting > 0) return;
            Thread.sleep(20);
        }
        throw new AssertionError("the publish never waited for the blocking transaction");
    }

    @Test
    void a_failed_request_releases_its_key() {
        var bad = herald.api.send("POST", "/api/v1/app", "{\"uid\":\"x\"}", "idempotency-key", "k-retry");
        assertThat(bad.status()).isEqualTo(422);
        // had the failure kept the key, a different body under it would be refused as a mismatch
        var fixed = herald.api.send("POST", "/api/v1/app", "{\"name\":\"n\"}", "idempotency-key", "k-retry");
        assertThat(fixed.status()).as("the key of a failed request can be used again").isEqualTo(201);
    }

    @Test
    void a_key_longer_than_256_characters_is_refused_as_a_bad_header() {
        var response = herald.api.send("POST", "/api/v1/app", "{\"name\":\"n\"}", "idempotency-key", "k".repeat(257));
        assertThat(response.status()).isEqualTo(422);
        var item = response.body().path("detail").path(0);
        assertThat(item.path("loc").toString()).isEqualTo("[\"header\",\"idempotency-key\"]");
        assertThat(item.path("msg").asText()).contains("longer than 256");
        assertThat(herald.api.get("/api/v1/app").body().path("data")).as("nothing created").isEmpty();
    }
}
