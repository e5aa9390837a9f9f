package dev.herald.routing;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An endpoint's {@code filter}, through the API: stored, echoed, applied at fan-out next to filterTypes and channels. */
@ExtendWith(TestDatabase.class)
class PayloadFilterRoutingTest {
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
        app = herald.api.post("/api/v1/app", json("name", "Filters")).text("id");
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private String endpoint(String path, Object... extra) {
        var fields = new ArrayList<Object>(List.of("url", receiver.url(path)));
        fields.addAll(List.of(extra));
        var response = herald.api.post("/api/v1/app/" + app + "/endpoint", json(fields.toArray()));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.text("id");
    }

    private String publish(String payload, String... channels) {
        String body = "{\"eventType\":\"invoice.paid\",\"payload\":" + payload
                + (channels.length == 0 ? "" : ",\"channels\":" + MAPPER.valueToTree(List.of(channels))) + "}";
        var response = herald.api.post("/api/v1/app/" + app + "/msg", body);
        assertThat(response.status()).as(response.toString()).isEqualTo(202);
        return response.text("id");
    }

    /** The endpoints the message was fanned out to: known as soon as publishing answers. */
    private List<String> destinations(String msgId) {
        var ids = new ArrayList<String>();
        herald.api.get("/api/v1/app/" + app + "/msg/" + msgId + "/endpoint").body().path("data")
                .forEach(e -> ids.add(e.path("id").asText()));
        return ids;
    }

    @Test
    void delivers_only_messages_whose_payload_matches_and_none_missing_the_key() {
        String filtered = endpoint("/big-eur", "filter", Map.of("payload.amount", Map.of("$gte", 100), "payload.currency", "EUR"));
        String all = endpoint("/all");

        String small = publish("{\"amount\":50,\"currency\":\"EUR\"}");
        String usd = publish("{\"amount\":150,\"currency\":\"USD\"}");
        String noAmount = publish("{\"currency\":\"EUR\"}");
        String match = publish("{\"amount\":150.5,\"currency\":\"EUR\"}");

        assertThat(destinations(small)).containsExactly(all);
        assertThat(destinations(usd)).containsExactly(all);
        assertThat(destinations(noAmount)).containsExactly(all);
        assertThat(destinations(match)).containsExactlyInAnyOrder(all, filtered);
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/all").size() == 4
                && receiver.requests("/big-eur").size() == 1, "the deliveries");
        assertThat(receiver.requests("/big-eur")).extracting(Receiver.Request::body)
                .containsExactly("{\"amount\":150.5,\"currency\":\"EUR\"}");
    }

    @Test
    void a_filter_narrows_what_channels_already_select() {
        String vipEu = endpoint("/vip-eu", "channels", List.of("eu"), "filter", Map.of("payload.vip", true));

        assertThat(destinations(publish("{\"vip\":true}", "eu"))).containsExactly(vipEu);
        assertThat(destinations(publish("{\"vip\":true}", "us"))).isEmpty();
        assertThat(destinations(publish("{\"vip\":false}", "eu"))).isEmpty();
        assertThat(destinations(publish("{\"vip\":true}"))).isEmpty();
        // the view has the message's channels and event type too
        String byView = endpoint("/view", "filter", Map.of("$or", List.of(Map.of("channels", "us"), Map.of("eventType", "nope"))));
        assertThat(destinations(publish("{}", "us", "eu"))).containsExactly(byView);
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/vip-eu").size() == 1
                && receiver.requests("/view").size() == 1, "the two matching deliveries");
    }

    @Test
    void the_filter_is_echoed_and_a_change_applies_to_the_next_message() {
        String ep = endpoint("/f", "filter", Map.of("payload.kind", "a"));
        String base = "/api/v1/app/" + app + "/endpoint/" + ep;
        assertThat(herald.api.get(base).body().path("filter")).isEqualTo(node("{\"payload.kind\":\"a\"}"));
        assertThat(destinations(publish("{\"kind\":\"a\"}"))).containsExactly(ep);

        var patched = herald.api.patch(base, json("filter", Map.of("payload.kind", "b")));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(patched.body().path("filter")).isEqualTo(node("{\"payload.kind\":\"b\"}"));
        assertThat(destinations(publish("{\"kind\":\"a\"}"))).isEmpty();
        assertThat(destinations(publish("{\"kind\":\"b\"}"))).containsExactly(ep);

        // a PUT that does not mention the filter (a Svix SDK update) keeps it
        var put = herald.api.put(base, json("url", receiver.url("/f"), "description", "renamed"));
        assertThat(put.body().path("filter")).isEqualTo(node("{\"payload.kind\":\"b\"}"));
        assertThat(destinations(publish("{\"kind\":\"a\"}"))).isEmpty();

        var cleared = herald.api.patch(base, "{\"filter\":null}");
        assertThat(cleared.body().has("filter")).as(cleared.toString()).isFalse();
        assertThat(destinations(publish("{\"kind\":\"a\"}"))).containsExactly(ep);
        // an endpoint without a filter shows none: Svix SDKs see the shape they know
        assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/x"))).body().has("filter")).isFalse();
    }

    @Test
    void an_invalid_filter_is_refused_with_422_naming_the_operator() {
        var created = herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", receiver.url("/bad"), "filter", Map.of("payload.amount", Map.of("$between", List.of(1, 2)))));
        assertInvalid(created, "$between");
        assertInvalid(herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", receiver.url("/bad"), "filter", Map.of("$nor", List.of()))), "$nor");
        assertInvalid(herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", receiver.url("/bad"), "filter", Map.of("amount", 1))), "amount");
        assertInvalid(herald.api.post("/api/v1/app/" + app + "/endpoint",
                json("url", receiver.url("/bad"), "filter", List.of(1))), "dict");

        String ep = endpoint("/ok");
        String base = "/api/v1/app/" + app + "/endpoint/" + ep;
        assertInvalid(herald.api.patch(base, json("filter", Map.of("payload.a", Map.of("$regex", "(")))), "$regex");
        assertInvalid(herald.api.put(base, json("url", receiver.url("/ok"), "filter", Map.of("payload.a", Map.of("$gt", true)))), "$gt");
        assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint").body().path("data")).hasSize(1);
        assertThat(herald.api.get(base).body().has("filter")).isFalse();
    }

    private static void assertInvalid(Response response, String msgMentions) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        JsonNode item = response.body().path("detail").path(0);
        assertThat(item.path("loc")).isEqualTo(node("[\"body\",\"filter\"]"));
        assertThat(item.path("msg").asText()).contains(msgMentions);
    }

    private static JsonNode node(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
