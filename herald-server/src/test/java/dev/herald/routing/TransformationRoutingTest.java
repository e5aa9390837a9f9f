package dev.herald.routing;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An endpoint's {@code transformation}, through the API: validated, stored, rendered at send time, simulated. */
@ExtendWith(TestDatabase.class)
class TransformationRoutingTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    static TestHerald herald;
    Receiver receiver;
    String app;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void setUp() {
        receiver = new Receiver();
        app = herald.api.post("/api/v1/app", json("name", "Acme Corp", "uid", "acme")).text("id");
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private Response createEndpoint(String path, Object... extra) {
        var fields = new ArrayList<Object>(List.of("url", receiver.url(path)));
        fields.addAll(List.of(extra));
        return herald.api.post("/api/v1/app/" + app + "/endpoint", json(fields.toArray()));
    }

    private String endpoint(String path, Object... extra) {
        var response = createEndpoint(path, extra);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.text("id");
    }

    private String publish(String body) {
        var response = herald.api.post("/api/v1/app/" + app + "/msg", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        return response.text("id");
    }

    private static Map<String, Object> slackStyle(String url) {
        var t = new LinkedHashMap<String, Object>();
        t.put("method", "PUT");
        t.put("url", url);
        t.put("headers", Map.of("X-Event", "{{eventType}}", "X-Tenant", "{{app.uid}}"));
        t.put("body", Map.of("text", "{{payload.user.name}} paid {{payload.amount}}", "amount", "{{payload.amount}}",
                "event", "{{eventId}}", "endpoint", "{{endpoint.id}}"));
        return t;
    }

    @Test
    void sends_the_rendered_request_signed_over_the_bytes_sent() throws Exception {
        String ep = endpoint("/original", "headers", Map.of("X-Static", "kept"),
                "transformation", slackStyle(receiver.url("/users/{{payload.user.id}}?e={{eventType}}")));
        String secret = herald.api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/secret").text("key");
        String msgId = publish("{\"eventType\":\"invoice.paid\",\"eventId\":\"evt_9\","
                + "\"payload\":{\"amount\":12.50,\"user\":{\"id\":\"u_1\",\"name\":\"Ann\"}}}");

        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests().size() == 1, "the transformed delivery");
        var request = receiver.requests().get(0);
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.path()).isEqualTo("/users/u_1");
        assertThat(request.query()).isEqualTo("e=invoice.paid");
        assertThat(request.header("x-event")).isEqualTo("invoice.paid");
        assertThat(request.header("x-tenant")).isEqualTo("acme");
        assertThat(request.header("x-static")).isEqualTo("kept");
        assertThat(request.header("webhook-id")).isEqualTo(msgId);
        JsonNode body = MAPPER.readTree(request.body());
        assertThat(body.path("text").asText()).isEqualTo("Ann paid 12.50");
        assertThat(body.path("amount").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(body.path("event").asText()).isEqualTo("evt_9");
        assertThat(body.path("endpoint").asText()).isEqualTo(ep);
        var headers = HttpHeaders.of(Map.of(
                "webhook-id", List.of(request.header("webhook-id")),
                "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                "webhook-signature", List.of(request.header("webhook-signature"))), (a, b) -> true);
        new com.svix.Webhook(secret).verify(request.body(), headers);
        assertThat(receiver.requests("/original")).isEmpty();
    }

    @Test
    void a_rendered_url_the_address_guard_refuses_fails_the_attempt_with_the_reason() {
        String ep = endpoint("/x", "transformation", Map.of("url", "http://{{payload.host}}/latest/meta-data"));
        String msgId = publish("{\"eventType\":\"t\",\"payload\":{\"host\":\"169.254.169.254\"}}");
        String error = firstAttemptError(msgId);
        assertThat(error).contains("transformation", "169.254.169.254");

        herald.api.patch("/api/v1/app/" + app + "/endpoint/" + ep, json("transformation", Map.of("url", "{{payload.to}}")));
        String ftp = publish("{\"eventType\":\"t\",\"payload\":{\"to\":\"ftp://example.com/x\"}}");
        assertThat(firstAttemptError(ftp)).contains("http or https");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void a_render_that_grows_too_large_fails_the_attempt_with_the_reason() {
        var body = new LinkedHashMap<String, Object>();
        for (int i = 0; i < 8; i++) body.put("copy" + i, "{{payload}}");
        endpoint("/big", "transformation", Map.of("body", body));
        String msgId = publish(json("eventType", "t", "payload", Map.of("blob", "x".repeat(600_000))));
        assertThat(firstAttemptError(msgId)).contains("transformation could not be rendered", "exceeds");
        assertThat(receiver.requests()).isEmpty();
    }

    private String firstAttemptError(String msgId) {
        String path = "/api/v1/app/" + app + "/attempt/msg/" + msgId;
        Receiver.await(Duration.ofSeconds(10), () -> herald.api.get(path).body().path("data").size() >= 1, "the failed attempt");
        JsonNode attempt = herald.api.get(path).body().path("data").get(0);
        assertThat(attempt.path("responseStatusCode").asInt()).isZero();
        return attempt.path("errorMessage").asText();
    }

    @Test
    void simulate_previews_the_stored_or_a_given_transformation_without_sending() throws Exception {
        String ep = endpoint("/sim", "headers", Map.of("X-Static", "kept"), "transformation", slackStyle(receiver.url("/u/{{payload.user.id}}")));
        String base = "/api/v1/app/" + app + "/endpoint/" + ep;
        String message = "\"eventType\":\"invoice.paid\",\"payload\":{\"amount\":3,\"user\":{\"id\":\"u_7\",\"name\":\"Bo\"}}";

        var stored = herald.api.post(base + "/transformation/simulate", "{" + message + "}");
        assertThat(stored.status()).as(stored.toString()).isEqualTo(200);
        assertThat(stored.text("method")).isEqualTo("PUT");
        assertThat(stored.text("url")).isEqualTo(receiver.url("/u/u_7"));
        assertThat(stored.body().path("headers").path("X-Event").asText()).isEqualTo("invoice.paid");
        assertThat(stored.body().path("headers").path("X-Tenant").asText()).isEqualTo("acme");
        assertThat(stored.body().path("headers").path("X-Static").asText()).isEqualTo("kept");
        assertThat(stored.body().path("headers").has("webhook-signature")).isFalse();
        assertThat(stored.body().path("body").path("text").asText()).isEqualTo("Bo paid 3");
        assertThat(stored.body().path("body").path("amount").asInt()).isEqualTo(3);

        var given = herald.api.post(base + "/transformation/simulate",
                "{" + message + ",\"transformation\":{\"body\":{\"who\":\"{{payload.user.name}}\"}}}");
        assertThat(given.status()).as(given.toString()).isEqualTo(200);
        assertThat(given.text("method")).isEqualTo("POST");
        assertThat(given.text("url")).isEqualTo(receiver.url("/sim"));
        assertThat(given.body().path("body")).isEqualTo(MAPPER.readTree("{\"who\":\"Bo\"}"));

        var refused = herald.api.post(base + "/transformation/simulate",
                "{" + message + ",\"transformation\":{\"url\":\"http://169.254.169.254/{{payload.user.id}}\",\"method\":\"PATCH\"}}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.body().path("detail").path(0).path("loc")).isEqualTo(MAPPER.readTree("[\"body\",\"transformation\"]"));

        var invalid = herald.api.post(base + "/transformation/simulate", "{" + message + ",\"transformation\":{\"method\":\"GET\"}}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.body().path("detail").path(0).path("msg").asText()).contains("method");

        // an endpoint's credential header is previewed by name only, as GET …/headers shows it: a portal with Try it may
        // not read it (it was shown in full)
        String guarded = endpoint("/guarded", "headers", Map.of("Authorization", "Bearer receiver-credential", "X-Static", "kept"));
        for (String withOrWithout : List.of("{" + message + "}", "{" + message + ",\"transformation\":{\"body\":{\"a\":1}}}")) {
            var preview = herald.api.post("/api/v1/app/" + app + "/endpoint/" + guarded + "/transformation/simulate", withOrWithout);
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(preview.body().path("headers").has("Authorization")).as(preview.toString()).isTrue();
            assertThat(preview.body().path("headers").toString()).doesNotContain("receiver-credential");
            assertThat(preview.body().path("headers").path("X-Static").asText()).isEqualTo("kept");
        }
        // a guess set by the request's own transformation is withheld too, right or wrong: withheld only when right, the
        // answer would tell whether it was
        for (String guess : List.of("Bearer receiver-credential", "Bearer a-wrong-guess")) {
            var preview = herald.api.post("/api/v1/app/" + app + "/endpoint/" + guarded + "/transformation/simulate",
                    "{" + message + ",\"transformation\":{\"headers\":{\"Authorization\":\"" + guess + "\"}}}");
            assertThat(preview.status()).as(preview.toString()).isEqualTo(200);
            assertThat(preview.body().path("headers").path("Authorization").asText()).as(guess).doesNotContain("Bearer");
        }

        String plain = endpoint("/plain");
        var untransformed = herald.api.post("/api/v1/app/" + app + "/endpoint/" + plain + "/transformation/simulate", "{" + message + "}");
        assertThat(untransformed.text("method")).isEqualTo("POST");
        assertThat(untransformed.text("url")).isEqualTo(receiver.url("/plain"));
        assertThat(untransformed.body().path("body").path("user").path("id").asText()).isEqualTo("u_7");

        Thread.sleep(300); // nothing was sent
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void the_transformation_is_echoed_and_can_be_cleared() throws Exception {
        var created = createEndpoint("/echo", "transformation", Map.of("method", "PATCH", "headers", Map.of("X-A", "{{msgId}}")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String base = "/api/v1/app/" + app + "/endpoint/" + created.text("id");
        assertThat(herald.api.get(base).body().path("transformation"))
                .isEqualTo(MAPPER.readTree("{\"method\":\"PATCH\",\"headers\":{\"X-A\":\"{{msgId}}\"}}"));
        var cleared = herald.api.patch(base, "{\"transformation\":null}");
        assertThat(cleared.body().has("transformation")).as(cleared.toString()).isFalse();
        publish("{\"eventType\":\"t\",\"payload\":{\"plain\":true}}");
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/echo").size() == 1, "the plain delivery");
        assertThat(receiver.requests("/echo").get(0).method()).isEqualTo("POST");
        assertThat(receiver.requests("/echo").get(0).body()).isEqualTo("{\"plain\":true}");
    }

    @Test
    void an_invalid_transformation_is_refused_with_422_naming_the_field() {
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("method", "GET")), "method");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("verb", "PUT")), "verb");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("url", 5)), "url");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("url", "ftp://example.com/")), "url");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("body", Map.of("a", "{{#payload}}x{{/payload}}"))), "body");
        // a template cannot replace the signature, framing or reserved headers, nor split a header line
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("headers", Map.of("Webhook-Signature", "v1,x"))), "reserved");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("headers", Map.of("svix-id", "{{msgId}}"))), "reserved");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("headers", Map.of("Host", "evil"))), "reserved");
        assertInvalid(createEndpoint("/bad", "transformation", Map.of("headers", Map.of("X-A", "a\r\nX-B: b"))), "control character");
        assertInvalid(createEndpoint("/bad", "transformation", List.of(1)), "dict");

        String ep = endpoint("/ok");
        String base = "/api/v1/app/" + app + "/endpoint/" + ep;
        assertInvalid(herald.api.patch(base, json("transformation", Map.of("method", "DELETE"))), "method");
        assertInvalid(herald.api.put(base, json("url", receiver.url("/ok"), "transformation", Map.of("headers", Map.of("webhook-id", "x")))), "reserved");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
    }

    private static void assertInvalid(Response response, String msgMentions) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        JsonNode item = response.body().path("detail").path(0);
        assertThat(item.path("loc").toString()).isEqualTo("[\"body\",\"transformation\"]");
        assertThat(item.path("msg").asText()).contains(msgMentions);
    }
}
