package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * During a key rotation nodes run with different encryption keys for a while. A node that cannot open an endpoint's
 * secret (sealed with the new key it lacks) puts its deliveries back unsent, using no attempt, and a node that holds
 * the key sends them.
 */
@ExtendWith(TestDatabase.class)
class KeyElsewhereTest {
    static final String NEW_KEY = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";
    @AfterEach
    void leaveNoSecretsSealedWithTheNewKey() {
        TestDatabase.clean();
    }

    @Test
    void a_node_without_the_key_puts_deliveries_back_for_a_node_with_it() throws Exception {
        var rotated = new HashMap<>(TestHerald.defaultEnv());
        rotated.put("HERALD_ENCRYPTION_KEY", NEW_KEY);
        rotated.put("HERALD_ENCRYPTION_KEYS_OLD", TestHerald.ENCRYPTION_KEY);
        var apiOnly = new HashMap<>(rotated);
        apiOnly.put("HERALD_WORKER_ENABLED", "false");
        try (var receiver = new Receiver();
             var oldKeyNode = TestHerald.start(TestHerald.defaultEnv(), Clock.systemUTC());
             var newKeyApi = TestHerald.start(apiOnly, Clock.systemUTC())) {
            String app = newKeyApi.api.post("/api/v1/app", json("name", "rotating")).text("id");
            String ep = newKeyApi.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/k"),
                    "headers", java.util.Map.of("X-Api-Key", "sealed-with-the-new-key"))).text("id");
            String msg = newKeyApi.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":1}}").text("id");

            Receiver.await(Duration.ofSeconds(20), () -> oldKeyNode.herald.metrics().keyElsewhereCount() >= 1 || attemptRows(msg) > 0,
                    "the node without the key claimed the delivery");
            assertThat(attemptRows(msg)).as("no attempt used up").isZero();
            assertThat(receiver.requests("/k")).isEmpty();
            // the secret's read on the node without the key: a 503 to try elsewhere, never a 500
            var unreadable = oldKeyNode.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret");
            assertThat(unreadable.status()).as(unreadable.toString()).isEqualTo(503);
            assertThat(unreadable.text("code")).isEqualTo("service_unavailable");
            assertThat(unreadable.text("detail")).contains("encryption key");
            // so are its headers (sealed with the new key); the endpoint itself is read as ever: looking it up, listing,
            // changing what is not its headers open nothing (they answered 503 while lookups opened the headers)
            assertThat(oldKeyNode.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/headers").status()).isEqualTo(503);
            assertThat(oldKeyNode.api.get("/api/v1/app/" + app + "/endpoint/" + ep).status()).isEqualTo(200);
            assertThat(oldKeyNode.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
            var patched = oldKeyNode.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, json("description", "edited elsewhere"));
            assertThat(patched.status()).as(patched.toString()).isEqualTo(200);

            try (var newKeyWorker = TestHerald.start(rotated, Clock.systemUTC())) {
                Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/k").size() == 1, "sent by the node with the key");
                String secret = newKeyApi.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key");
                var request = receiver.requests("/k").get(0);
                assertThat(request.header("webhook-id")).isEqualTo(msg);
                assertThat(request.header("x-api-key")).as("the headers kept through the other node's change")
                        .isEqualTo("sealed-with-the-new-key");
                DeliveryFixture.verify(secret, request, "webhook");
            }
        }
    }

    private static long attemptRows(String msg) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from attempt where msg_id = :msg")
                .bind("msg", msg).mapTo(Long.class).one());
    }
}
