package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small steps the delivery behaviour tests share, all through the HTTP API. */
final class DeliveryFixture {
    static final Duration WAIT = Duration.ofSeconds(10);

    private DeliveryFixture() {}

    static String app(ApiClient api, String name) {
        var response = api.post("/api/v1/app", json("name", name));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.text("id");
    }

    /** Creates an endpoint; {@code extra} are further alternating field names and values. */
    static String endpoint(ApiClient api, String app, String url, Object... extra) {
        var fields = new ArrayList<Object>(List.of("url", url));
        fields.addAll(List.of(extra));
        var response = api.post("/api/v1/app/" + app + "/endpoint", json(fields.toArray()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.text("id");
    }

    static String publish(ApiClient api, String app, String body) {
        var response = api.post("/api/v1/app/" + app + "/msg", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        return response.text("id");
    }

    /** Whether the message's one delivery has succeeded, as its row says. */
    static boolean delivered(String msg) {
        return dev.herald.testing.TestDatabase.jdbi().withHandle(h -> h.createQuery("select status from delivery where msg_id = :m")
                .bind("m", msg).mapTo(Integer.class).one()) == dev.herald.domain.DeliveryStatus.SUCCESS;
    }

    static String secret(ApiClient api, String app, String endpoint) {
        return api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/secret").text("key");
    }

    /** Waits until the message has at least {@code expected} attempts; returns them oldest first. */
    static JsonNode attempts(ApiClient api, String app, String msg, int expected) {
        String path = "/api/v1/app/" + app + "/attempt/msg/" + msg;
        Receiver.await(WAIT, () -> api.get(path).body().path("data").size() >= expected, expected + " attempt(s) of " + msg);
        return api.get(path + "?order=ascending").body().path("data");
    }

    static JsonNode data(ApiClient api, String path) {
        var response = api.get(path);
        assertThat(response.status()).as(path + " -> " + response).isEqualTo(200);
        return response.body().path("data");
    }

    /** The three signature headers of one naming scheme ("webhook" or "svix"), and nothing else. */
    static Map<String, List<String>> signatureHeaders(Receiver.Request request, String prefix) {
        return Map.of(
                prefix + "-id", List.of(request.header(prefix + "-id")),
                prefix + "-timestamp", List.of(request.header(prefix + "-timestamp")),
                prefix + "-signature", List.of(request.header(prefix + "-signature")));
    }

    /** Verifies the request with the Svix library, seeing only the headers of the given naming scheme. */
    static void verify(String secret, Receiver.Request request, String prefix) throws Exception {
        new com.svix.Webhook(secret).verify(request.body(), signatureHeaders(request, prefix));
    }

    /** For "nothing arrives" checks: gives Herald time to (wrongly) act. */
    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
