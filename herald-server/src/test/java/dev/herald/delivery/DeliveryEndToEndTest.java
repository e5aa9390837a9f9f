package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestDatabase.class)
class DeliveryEndToEndTest {
    static TestHerald herald;
    Receiver receiver;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
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

    private String app() {
        return herald.api.post("/api/v1/app", json("name", "Acme")).text("id");
    }

    private String endpoint(String app, String path, Object... extra) {
        var fields = new java.util.ArrayList<Object>(List.of("url", receiver.url(path)));
        fields.addAll(List.of(extra));
        var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json(fields.toArray()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.text("id");
    }

    @Test
    void delivers_a_signed_message_that_the_svix_library_verifies() throws Exception {
        String app = app();
        String ep = endpoint(app, "/hook");
        String secret = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key");

        var published = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"invoice.paid\",\"payload\":{\"amount\":1.10,\"id\":\"in_1\"}}");
        assertThat(published.status()).as(published.toString()).isEqualTo(202);
        String msgId = published.text("id");

        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/hook").size() == 1, "delivery");
        var request = receiver.requests("/hook").get(0);
        assertThat(request.body()).isEqualTo("{\"amount\":1.10,\"id\":\"in_1\"}");
        assertThat(request.header("webhook-id")).isEqualTo(msgId);
        assertThat(request.header("user-agent")).startsWith("Herald/");
        var headers = HttpHeaders.of(Map.of(
                "webhook-id", List.of(request.header("webhook-id")),
                "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                "webhook-signature", List.of(request.header("webhook-signature"))), (a, b) -> true);
        new com.svix.Webhook(secret).verify(request.body(), headers);

        Receiver.await(Duration.ofSeconds(10), () ->
                herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msgId).body().path("data").size() == 1, "attempt recorded");
        var attempt = herald.api.get("/api/v1/app/" + app + "/attempt/msg/" + msgId).body().path("data").get(0);
        assertThat(attempt.path("status").asInt()).isEqualTo(0);
        assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(200);
        assertThat(attempt.path("endpointId").asText()).isEqualTo(ep);
    }

    @Test
    void fans_out_by_event_type_filter_and_channels() {
        String app = app();
        herald.api.post("/api/v1/event-type", json("name", "a.b", "description", "x"));
        herald.api.post("/api/v1/event-type", json("name", "c.d", "description", "x"));
        endpoint(app, "/all");
        endpoint(app, "/only-ab", "filterTypes", List.of("a.b"));
        endpoint(app, "/chan", "channels", List.of("eu"));

        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":{\"n\":1}}");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"c.d\",\"payload\":{\"n\":2}}");
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"c.d\",\"payload\":{\"n\":3},\"channels\":[\"eu\"]}");

        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/all").size() == 3
                && receiver.requests("/only-ab").size() == 1 && receiver.requests("/chan").size() == 1, "fan-out");
        assertThat(receiver.requests("/only-ab").get(0).body()).isEqualTo("{\"n\":1}");
        assertThat(receiver.requests("/chan").get(0).body()).isEqualTo("{\"n\":3}");
    }

    @Test
    void publishing_to_an_application_deleted_a_moment_ago_is_a_404() {
        String app = app();
        // warm the publish path's application cache (an id is kept for an hour), then delete
        assertThat(herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"x\",\"payload\":{}}").status()).isEqualTo(202);
        assertThat(herald.api.delete("/api/v1/app/" + app).status()).isEqualTo(204);
        var response = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"x\",\"payload\":{}}");
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
        assertThat(response.text("code")).isEqualTo("not_found");
    }

    @Test
    void duplicate_event_id_is_a_409() {
        String app = app();
        var first = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"x\",\"eventId\":\"evt-1\",\"payload\":{}}");
        var second = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"x\",\"eventId\":\"evt-1\",\"payload\":{}}");
        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(409);
        assertThat(second.text("code")).isEqualTo("conflict");
    }
}
