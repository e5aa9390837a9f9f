package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix 2.x's destinations of type pollingEndpoint: Herald's polling endpoints under another name, made, changed and
 * deleted through {@code /destination}, read through the poller routes; other types and what a poller cannot be are 422.
 */
@ExtendWith(TestDatabase.class)
class DestinationApiTest {
    static TestHerald herald;
    String app;
    String base;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void anApplication() {
        for (String type : List.of("invoice.paid", "user.created")) herald.api.put("/api/v1/event-type/" + type, json("description", type));
        app = herald.api.post("/api/v1/app", json("name", "Destinations")).text("id");
        base = "/api/v1/app/" + app + "/destination";
    }

    @Test
    void a_polling_endpoint_destination_is_a_poller_made_changed_and_deleted_through_the_destination_routes() {
        var made = herald.api.post(base, "{\"type\":\"pollingEndpoint\",\"uid\":\"ledger\",\"eventTypes\":[\"invoice.paid\"],"
                + "\"channels\":[\"eu\"],\"status\":\"enabled\",\"batchSize\":10,\"metadata\":{}}");
        assertThat(made.status()).as(made.raw()).isEqualTo(201);
        String id = made.text("id");
        assertThat(made.text("type")).isEqualTo("pollingEndpoint");
        assertThat(made.text("status")).isEqualTo("enabled");
        assertThat(made.body().path("eventTypes").toString()).isEqualTo("[\"invoice.paid\"]");
        // the same row as a polling endpoint, read through the poller routes
        var poller = herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + id);
        assertThat(poller.status()).isEqualTo(200);
        assertThat(poller.text("uid")).isEqualTo("ledger");
        String sent = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"invoice.paid\",\"payload\":{},\"channels\":[\"eu\"]}").text("id");
        assertThat(herald.api.get("/api/v1/app/" + app + "/poller/" + id).body().path("data").get(0).path("id").asText())
                .isEqualTo(sent);

        assertThat(herald.api.get(base + "/ledger").text("id")).as("by uid").isEqualTo(id);
        assertThat(herald.api.get(base).body().path("data")).hasSize(1);
        var patched = herald.api.patch(base + "/" + id, "{\"eventTypes\":[\"user.created\"]}");
        assertThat(patched.status()).as(patched.raw()).isEqualTo(200);
        assertThat(patched.body().path("eventTypes").toString()).isEqualTo("[\"user.created\"]");
        assertThat(patched.body().path("channels").toString()).as("left as it was").isEqualTo("[\"eu\"]");
        var replaced = herald.api.put(base + "/" + id, "{\"type\":\"pollingEndpoint\",\"uid\":\"ledger\"}");
        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.body().path("eventTypes").isNull()).as("a PUT replaces the whole").isTrue();

        var upserted = herald.api.put(base + "/audit-trail", "{\"type\":\"pollingEndpoint\"}");
        assertThat(upserted.status()).as(upserted.raw()).isEqualTo(201);
        assertThat(upserted.text("uid")).isEqualTo("audit-trail");
        assertThat(herald.api.delete(base + "/" + id).status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/app/" + app + "/polling-endpoint/" + id).status()).isEqualTo(404);
        assertThat(herald.api.get(base).body().path("data")).hasSize(1);
    }

    @Test
    void what_a_polling_endpoint_cannot_be_is_a_422_that_stores_nothing() {
        Map<String, String> refused = Map.of(
                "{\"type\":\"s3\",\"config\":{\"bucket\":\"b\"}}", "[\"body\",\"type\"]",
                "{\"eventTypes\":[\"invoice.paid\"]}", "[\"body\",\"type\"]",
                "{\"type\":\"pollingEndpoint\",\"status\":\"disabled\"}", "[\"body\",\"status\"]",
                "{\"type\":\"pollingEndpoint\",\"metadata\":{\"team\":\"a\"}}", "[\"body\",\"metadata\"]",
                "{\"type\":\"pollingEndpoint\",\"eventTypes\":[\"no.such\"]}", "[\"body\",\"eventTypes\"]",
                "{\"type\":7}", "[\"body\",\"type\"]");
        for (var bad : refused.entrySet()) {
            var answer = herald.api.post(base, bad.getKey());
            assertThat(answer.status()).as(bad.getKey() + " " + answer.raw()).isEqualTo(422);
            assertThat(answer.body().path("detail").get(0).path("loc").toString()).as(bad.getKey()).isEqualTo(bad.getValue());
        }
        assertThat(herald.api.get(base).body().path("data")).isEmpty();
        String id = herald.api.post(base, "{\"type\":\"pollingEndpoint\"}").text("id");
        assertThat(herald.api.patch(base + "/" + id, "{\"type\":\"sqs\"}").status()).isEqualTo(422);
        assertThat(herald.api.get(base + "/dest_missing").status()).isEqualTo(404);
        var viewer = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app,
                "{\"capabilities\":[\"ViewBase\"]}").text("token"));
        assertThat(viewer.post(base, "{\"type\":\"pollingEndpoint\"}").status()).as("ManageEndpoint needed").isEqualTo(403);
        assertThat(viewer.get(base).status()).isEqualTo(200);
    }

    /** Svix 2.x's destination transformation routes: a polling endpoint has none, and takes none. */
    @Test
    void a_polling_destination_has_no_transformation_and_refuses_one() {
        String id = herald.api.post(base, "{\"type\":\"pollingEndpoint\"}").text("id");
        var none = herald.api.get(base + "/" + id + "/transformation");
        assertThat(none.status()).as(none.raw()).isEqualTo(200);
        assertThat(none.body().path("code").isNull()).isTrue();
        assertThat(none.body().path("enabled").asBoolean(true)).isFalse();
        assertThat(herald.api.patch(base + "/" + id + "/transformation", "{\"code\":null}").status()).isEqualTo(204);
        assertThat(herald.api.patch(base + "/" + id + "/transformation", "{}").status()).isEqualTo(204);
        var refused = herald.api.patch(base + "/" + id + "/transformation", "{\"code\":\"{\\\"body\\\":{}}\"}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        assertThat(refused.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"code\"]");
        assertThat(herald.api.get(base + "/dest_missing/transformation").status()).isEqualTo(404);
        assertThat(herald.api.patch(base + "/dest_missing/transformation", "{}").status()).isEqualTo(404);
        var viewer = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + app,
                "{\"capabilities\":[\"ViewBase\"]}").text("token"));
        assertThat(viewer.patch(base + "/" + id + "/transformation", "{}").status()).as("ManageTransformations needed").isEqualTo(403);
    }
}
