package dev.herald.routing;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.herald.testing.ApiClient;
import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event catalog at publish time: schemas validated when asked, archived types closed, unknown types open. */
@ExtendWith(TestDatabase.class)
class EventCatalogRoutingTest {
    /** Version 2 is the newest: payloads are held to it, not to version 1. */
    static final Map<String, Object> SCHEMAS = Map.of(
            "1", Map.of("type", "object", "required", List.of("legacy")),
            "2", Map.of("type", "object", "required", List.of("amount", "currency"), "properties", Map.of(
                    "amount", Map.of("type", "integer", "minimum", 0),
                    "currency", Map.of("enum", List.of("EUR", "USD")))));

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
        app = appWithEndpoint(herald.api);
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private String appWithEndpoint(ApiClient api) {
        String id = api.post("/api/v1/app", json("name", "Catalog")).text("id");
        var endpoint = api.post("/api/v1/app/" + id + "/endpoint", json("url", receiver.url("/hook")));
        assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(201);
        return id;
    }

    private static Response publish(ApiClient api, String app, String eventType, String payload) {
        return api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"" + eventType + "\",\"payload\":" + payload + "}");
    }

    private static Response createType(ApiClient api, Object... fields) {
        return api.post("/api/v1/event-type", json(fields));
    }

    @Test
    void a_type_that_validates_payloads_refuses_a_violation_listing_each_one() {
        var type = createType(herald.api, "name", "invoice.paid", "description", "d", "schemas", SCHEMAS, "validatePayloads", true);
        assertThat(type.status()).as(type.toString()).isEqualTo(201);
        assertThat(type.body().path("validatePayloads").asBoolean()).isTrue();

        var refused = publish(herald.api, app, "invoice.paid", "{\"amount\":\"12\",\"currency\":\"GBP\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        List<String> messages = new ArrayList<>();
        for (JsonNode item : refused.body().path("detail")) {
            assertThat(item.path("loc").toString()).isEqualTo("[\"body\",\"payload\"]");
            assertThat(item.path("type").isTextual()).isTrue();
            messages.add(item.path("msg").asText());
        }
        assertThat(messages).hasSize(2);
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("amount"));
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("currency"));
        var missing = publish(herald.api, app, "invoice.paid", "{}");
        assertThat(missing.status()).isEqualTo(422);
        assertThat(missing.body().path("detail")).hasSize(2);

        // valid under version 2 (though not under version 1): accepted and delivered
        var accepted = publish(herald.api, app, "invoice.paid", "{\"amount\":12,\"currency\":\"EUR\"}");
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/hook").size() == 1, "the valid message");
        assertThat(receiver.requests("/hook").get(0).body()).isEqualTo("{\"amount\":12,\"currency\":\"EUR\"}");
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(1);
    }

    @Test
    void payloads_are_not_validated_unless_asked_and_unknown_types_take_anything() {
        createType(herald.api, "name", "loose.type", "description", "d", "schemas", SCHEMAS);
        assertThat(publish(herald.api, app, "loose.type", "{\"amount\":\"no\"}").status()).isEqualTo(202);
        assertThat(publish(herald.api, app, "never.declared", "{\"anything\":true}").status()).isEqualTo(202);

        // switching it on applies to the next message
        var patched = herald.api.patch("/api/v1/event-type/loose.type", json("validatePayloads", true));
        assertThat(patched.body().path("validatePayloads").asBoolean()).as(patched.toString()).isTrue();
        assertThat(publish(herald.api, app, "loose.type", "{\"amount\":\"no\"}").status()).isEqualTo(422);
        // a PATCH that does not mention it keeps it
        herald.api.patch("/api/v1/event-type/loose.type", json("description", "changed"));
        assertThat(herald.api.get("/api/v1/event-type/loose.type").body().path("validatePayloads").asBoolean()).isTrue();
        // so does a PUT: no Svix SDK sends this field of Herald's, and an SDK's update turned validation off
        var put = herald.api.put("/api/v1/event-type/loose.type", json("description", "put by an SDK", "schemas", SCHEMAS));
        assertThat(put.body().path("validatePayloads").asBoolean()).as(put.toString()).isTrue();
        assertThat(publish(herald.api, app, "loose.type", "{\"amount\":\"no\"}").status()).isEqualTo(422);
        // an explicit null clears it, as null clears Herald's other extras
        var cleared = herald.api.patch("/api/v1/event-type/loose.type", "{\"validatePayloads\": null}");
        assertThat(cleared.status()).as(cleared.toString()).isEqualTo(200);
        assertThat(cleared.body().path("validatePayloads").isBoolean()).isTrue();
        assertThat(cleared.body().path("validatePayloads").asBoolean()).as(cleared.toString()).isFalse();
        herald.api.patch("/api/v1/event-type/loose.type", json("validatePayloads", true));
        var putNull = herald.api.put("/api/v1/event-type/loose.type", "{\"description\": \"d\", \"validatePayloads\": null}");
        assertThat(putNull.status()).as(putNull.toString()).isEqualTo(200);
        assertThat(putNull.body().path("validatePayloads").isBoolean()).isTrue();
        assertThat(putNull.body().path("validatePayloads").asBoolean()).as(putNull.toString()).isFalse();
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/hook").size() == 2, "the two accepted messages");
    }

    @Test
    void herald_validate_payloads_holds_every_type_with_a_schema_to_it() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_VALIDATE_PAYLOADS", "true");
        try (var strict = TestHerald.start(env, Clock.systemUTC())) {
            String strictApp = appWithEndpoint(strict.api);
            createType(strict.api, "name", "order.placed", "description", "d", "schemas", SCHEMAS);
            createType(strict.api, "name", "no.schema", "description", "d");
            var refused = publish(strict.api, strictApp, "order.placed", "{\"amount\":-1,\"currency\":\"EUR\"}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(refused.body().path("detail")).hasSize(1);
            assertThat(refused.body().path("detail").path(0).path("msg").asText()).contains("amount");
            assertThat(publish(strict.api, strictApp, "order.placed", "{\"amount\":1,\"currency\":\"USD\"}").status()).isEqualTo(202);
            assertThat(publish(strict.api, strictApp, "no.schema", "{\"free\":1}").status()).isEqualTo(202);
            assertThat(publish(strict.api, strictApp, "not.in.catalog", "{\"free\":1}").status()).isEqualTo(202);
        }
    }

    @Test
    void an_archived_type_refuses_new_messages_until_restored() {
        createType(herald.api, "name", "user.left", "description", "d");
        assertThat(publish(herald.api, app, "user.left", "{}").status()).isEqualTo(202);
        assertThat(herald.api.delete("/api/v1/event-type/user.left").status()).isEqualTo(204);

        var refused = publish(herald.api, app, "user.left", "{}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.body().path("detail").path(0).path("loc").toString()).isEqualTo("[\"body\",\"eventType\"]");
        assertThat(refused.body().path("detail").path(0).path("msg").asText()).contains("archived");

        // creating it again unarchives it (Svix); expunged, it is unknown and open again
        assertThat(createType(herald.api, "name", "user.left", "description", "back").status()).isEqualTo(201);
        assertThat(publish(herald.api, app, "user.left", "{}").status()).isEqualTo(202);
        herald.api.delete("/api/v1/event-type/user.left");
        assertThat(publish(herald.api, app, "user.left", "{}").status()).isEqualTo(422);
        assertThat(herald.api.delete("/api/v1/event-type/user.left?expunge=true").status()).isEqualTo(204);
        assertThat(publish(herald.api, app, "user.left", "{}").status()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/hook").size() == 3, "the three accepted messages");
    }

    @Test
    void schemas_that_do_not_compile_are_refused_with_422() {
        assertInvalidSchemas(createType(herald.api, "name", "bad.one", "description", "d",
                "schemas", Map.of("1", Map.of("type", "strin"))), "version 1");
        assertInvalidSchemas(createType(herald.api, "name", "bad.two", "description", "d",
                "schemas", Map.of("v1", Map.of("type", "object"))), "v1");
        assertInvalidSchemas(createType(herald.api, "name", "bad.three", "description", "d",
                "schemas", Map.of("1", Map.of("$ref", "https://example.com/schema.json"))), "version 1");
        assertThat(herald.api.get("/api/v1/event-type/bad.one").status()).isEqualTo(404);

        createType(herald.api, "name", "good.one", "description", "d", "schemas", SCHEMAS);
        assertInvalidSchemas(herald.api.put("/api/v1/event-type/good.one",
                json("description", "d", "schemas", Map.of("1", Map.of("pattern", "(unclosed")))), "pattern");
        assertInvalidSchemas(herald.api.patch("/api/v1/event-type/good.one",
                json("schemas", Map.of("1", Map.of("type", 7)))), "version 1");
        assertInvalidSchemas(herald.api.put("/api/v1/event-type/made.by.put",
                json("description", "d", "schemas", Map.of("1", Map.of("minimum", "zero")))), "version 1");
        assertThat(herald.api.get("/api/v1/event-type/good.one").body().path("schemas").path("2").isObject()).isTrue();
    }

    private static void assertInvalidSchemas(Response response, String msgMentions) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        JsonNode item = response.body().path("detail").path(0);
        assertThat(item.path("loc").toString()).isEqualTo("[\"body\",\"schemas\"]");
        assertThat(item.path("msg").asText()).contains(msgMentions);
    }
}
