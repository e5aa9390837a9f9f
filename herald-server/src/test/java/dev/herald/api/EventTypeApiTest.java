package dev.herald.api;

import static dev.herald.api.Problems.assertError;
import static dev.herald.api.Problems.assertInvalid;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(TestDatabase.class)
class EventTypeApiTest {
    static TestHerald herald;

    static final Map<String, Object> SCHEMAS = Map.of("1", Map.of("type", "object", "title", "Invoice paid"));

    @BeforeAll
    static void start() {
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static Response create(String name) {
        var created = herald.api.post("/api/v1/event-type", json("name", name, "description", "about " + name));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created;
    }

    @Test
    void creates_and_reads_an_event_type_with_every_field() {
        var created = herald.api.post("/api/v1/event-type", json("name", "invoice.paid", "description", "Paid",
                "schemas", SCHEMAS, "deprecated", true, "featureFlag", "beta", "featureFlags", List.of("beta", "cohort-2"),
                "groupName", "invoice"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("name")).isEqualTo("invoice.paid");
        assertThat(created.text("description")).isEqualTo("Paid");
        assertThat(created.body().path("schemas").path("1").path("title").asText()).isEqualTo("Invoice paid");
        assertThat(created.body().path("deprecated").asBoolean()).isTrue();
        assertThat(created.body().path("archived").asBoolean()).isFalse();
        assertThat(created.text("featureFlag")).isEqualTo("beta");
        assertThat(created.body().path("featureFlags")).hasSize(2);
        assertThat(created.text("groupName")).isEqualTo("invoice");
        assertThat(created.text("createdAt")).endsWith("Z");

        var read = herald.api.get("/api/v1/event-type/invoice.paid");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(created.body());
    }

    @Test
    void duplicate_name_is_a_409_conflict() {
        create("user.created");
        assertError(herald.api.post("/api/v1/event-type", json("name", "user.created", "description", "again")),
                409, "event_type_exists");
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "user/created", "ü.created", "a:b", ""})
    void rejects_a_name_outside_the_allowed_alphabet(String name) {
        assertInvalid(herald.api.post("/api/v1/event-type", json("name", name, "description", "d")), "body", "name");
    }

    @Test
    void rejects_a_name_longer_than_256_characters() {
        assertInvalid(herald.api.post("/api/v1/event-type", json("name", "n".repeat(257), "description", "d")),
                "body", "name");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"description\": \"d\"}|name",
            "{\"name\": 7, \"description\": \"d\"}|name",
            "{\"name\": \"t\"}|description",
            "{\"name\": \"t\", \"description\": 5}|description",
            "{\"name\": \"t\", \"description\": \"d\", \"schemas\": \"nope\"}|schemas",
            "{\"name\": \"t\", \"description\": \"d\", \"schemas\": [1]}|schemas",
            "{\"name\": \"t\", \"description\": \"d\", \"archived\": \"yes\"}|archived",
            "{\"name\": \"t\", \"description\": \"d\", \"deprecated\": 1}|deprecated",
            "{\"name\": \"t\", \"description\": \"d\", \"featureFlag\": \"bad flag\"}|featureFlag",
            "{\"name\": \"t\", \"description\": \"d\", \"featureFlags\": \"beta\"}|featureFlags",
            "{\"name\": \"t\", \"description\": \"d\", \"featureFlags\": [\"bad flag\"]}|featureFlags",
            "{\"name\": \"t\", \"description\": \"d\", \"groupName\": \"bad group\"}|groupName",
    })
    void rejects_missing_or_wrong_typed_fields_with_422(String body, String field) {
        assertInvalid(herald.api.post("/api/v1/event-type", body), "body", field);
        assertThat(herald.api.get("/api/v1/event-type?include_archived=true").body().path("data")).isEmpty();
    }

    @Test
    void control_characters_in_names_and_descriptions_are_a_422_as_in_svix() {
        // Svix refuses 0x01-0x08 (as NUL) in an application's name and an endpoint's or event type's description
        assertInvalid(herald.api.post("/api/v1/event-type", "{\"name\":\"t\",\"description\":\"bell\\u0007\"}"), "body", "description");
        assertThat(herald.api.post("/api/v1/event-type", json("name", "t", "description", "tab\tand\nnewline")).status()).isEqualTo(201);
        assertInvalid(herald.api.patch("/api/v1/event-type/t", "{\"description\":\"\\u0001\"}"), "body", "description");
        assertInvalid(herald.api.put("/api/v1/event-type/t", "{\"description\":\"\\u0008\"}"), "body", "description");
        assertThat(herald.api.get("/api/v1/event-type/t").text("description")).isEqualTo("tab\tand\nnewline");

        assertInvalid(herald.api.post("/api/v1/app", "{\"name\":\"a\\u0002\"}"), "body", "name");
        String app = herald.api.post("/api/v1/app", json("name", "fine")).text("id");
        assertInvalid(herald.api.patch("/api/v1/app/" + app, "{\"name\":\"a\\u0003\"}"), "body", "name");
        String endpoints = "/api/v1/app/" + app + "/endpoint";
        assertInvalid(herald.api.post(endpoints, "{\"url\":\"https://example.com/\",\"description\":\"\\u0004\"}"), "body", "description");
        String ep = herald.api.post(endpoints, json("url", "https://example.com/")).text("id");
        assertInvalid(herald.api.patch(endpoints + "/" + ep, "{\"description\":\"\\u0005\"}"), "body", "description");
        assertThat(herald.api.get(endpoints).body().path("data")).hasSize(1);
        assertThat(herald.api.get("/api/v1/app/" + app).text("name")).isEqualTo("fine");
    }

    @Test
    void rejects_nul_characters_in_schemas_with_422_not_500() {
        var response = herald.api.post("/api/v1/event-type",
                "{\"name\":\"t\",\"description\":\"d\",\"schemas\":{\"1\":{\"title\":\"a\\u0000\"}}}");
        assertThat(response.status()).as("%s", response).isEqualTo(422);
    }

    @Test
    void unknown_event_type_is_404() {
        assertError(herald.api.get("/api/v1/event-type/nope"), 404, "not_found");
        assertError(herald.api.patch("/api/v1/event-type/nope", json("description", "x")), 404, "not_found");
        assertError(herald.api.delete("/api/v1/event-type/nope"), 404, "not_found");
        assertError(herald.api.delete("/api/v1/event-type/nope?expunge=true"), 404, "not_found");
    }

    @Test
    void delete_archives_the_event_type() {
        create("order.shipped");
        assertThat(herald.api.delete("/api/v1/event-type/order.shipped").status()).isEqualTo(204);

        var read = herald.api.get("/api/v1/event-type/order.shipped");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().path("archived").asBoolean()).isTrue();
        assertThat(herald.api.get("/api/v1/event-type").body().path("data")).isEmpty();
        assertThat(herald.api.get("/api/v1/event-type?include_archived=true").body().path("data")).hasSize(1);
    }

    @Test
    void delete_with_expunge_removes_the_event_type() {
        create("order.lost");
        assertThat(herald.api.delete("/api/v1/event-type/order.lost?expunge=true").status()).isEqualTo(204);
        assertError(herald.api.get("/api/v1/event-type/order.lost"), 404, "not_found");
        assertThat(herald.api.get("/api/v1/event-type?include_archived=true").body().path("data")).isEmpty();
    }

    @Test
    void create_unarchives_an_archived_event_type() {
        herald.api.post("/api/v1/event-type", json("name", "back.again", "description", "old", "schemas", SCHEMAS));
        herald.api.delete("/api/v1/event-type/back.again");

        var recreated = herald.api.post("/api/v1/event-type", json("name", "back.again", "description", "new"));
        assertThat(recreated.status()).isEqualTo(201);
        assertThat(recreated.body().path("archived").asBoolean()).isFalse();
        assertThat(recreated.text("description")).isEqualTo("new");
        assertThat(recreated.body().path("schemas").isNull()).isTrue();
        assertThat(herald.api.get("/api/v1/event-type").body().path("data")).hasSize(1);
    }

    @Test
    void put_replaces_an_existing_event_type() {
        var created = herald.api.post("/api/v1/event-type", json("name", "replace.me", "description", "old",
                "schemas", SCHEMAS, "groupName", "g", "featureFlag", "f", "deprecated", true));
        var put = herald.api.put("/api/v1/event-type/replace.me", json("description", "new"));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text("description")).isEqualTo("new");
        assertThat(put.body().path("schemas").isNull()).isTrue();
        assertThat(put.body().path("groupName").isNull()).isTrue();
        assertThat(put.body().path("featureFlag").isNull()).isTrue();
        assertThat(put.body().path("deprecated").asBoolean()).isFalse();
        assertThat(put.text("createdAt")).isEqualTo(created.text("createdAt"));
        assertThat(herald.api.get("/api/v1/event-type/replace.me").body()).isEqualTo(put.body());
    }

    @Test
    void put_creates_a_missing_event_type() {
        var put = herald.api.put("/api/v1/event-type/made.by.put", json("description", "upserted", "schemas", SCHEMAS));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("name")).isEqualTo("made.by.put");
        assertThat(herald.api.get("/api/v1/event-type/made.by.put").text("description")).isEqualTo("upserted");
    }

    @Test
    void put_validates_the_name_in_the_path_and_the_body() {
        assertInvalid(herald.api.put("/api/v1/event-type/bad%20name", json("description", "d")), "body", "name");
        create("valid.name");
        assertInvalid(herald.api.put("/api/v1/event-type/valid.name", json("description", "d", "schemas", 3)),
                "body", "schemas");
        assertInvalid(herald.api.put("/api/v1/event-type/valid.name", json("schemas", SCHEMAS)), "body", "description");
    }

    @Test
    void patch_leaves_absent_fields_unchanged() {
        herald.api.post("/api/v1/event-type", json("name", "patch.me", "description", "old", "schemas", SCHEMAS,
                "groupName", "g", "featureFlags", List.of("f1"), "deprecated", true));
        var patched = herald.api.patch("/api/v1/event-type/patch.me", json("description", "new"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.text("description")).isEqualTo("new");
        assertThat(patched.body().path("schemas").path("1").isObject()).isTrue();
        assertThat(patched.text("groupName")).isEqualTo("g");
        assertThat(patched.body().path("featureFlags")).hasSize(1);
        assertThat(patched.body().path("deprecated").asBoolean()).isTrue();
        assertThat(herald.api.get("/api/v1/event-type/patch.me").text("description")).isEqualTo("new");
    }

    @Test
    void patch_with_explicit_null_clears_the_field() {
        herald.api.post("/api/v1/event-type", json("name", "clear.me", "description", "d", "schemas", SCHEMAS,
                "groupName", "g", "featureFlag", "f", "featureFlags", List.of("f1")));
        var patched = herald.api.patch("/api/v1/event-type/clear.me",
                "{\"schemas\": null, \"groupName\": null, \"featureFlag\": null, \"featureFlags\": null}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body().path("schemas").isNull()).isTrue();
        assertThat(patched.body().path("groupName").isNull()).isTrue();
        assertThat(patched.body().path("featureFlag").isNull()).isTrue();
        assertThat(patched.body().path("featureFlags").isNull()).isTrue();
        assertThat(patched.text("description")).isEqualTo("d");
    }

    @Test
    void patch_can_archive_and_unarchive() {
        create("toggle.me");
        assertThat(herald.api.patch("/api/v1/event-type/toggle.me", json("archived", true))
                .body().path("archived").asBoolean()).isTrue();
        assertThat(herald.api.get("/api/v1/event-type").body().path("data")).isEmpty();
        assertThat(herald.api.patch("/api/v1/event-type/toggle.me", json("archived", false))
                .body().path("archived").asBoolean()).isFalse();
    }

    @Test
    void patch_rejects_null_description_and_wrong_types() {
        create("strict.patch");
        assertInvalid(herald.api.patch("/api/v1/event-type/strict.patch", "{\"description\": null}"), "body", "description");
        assertInvalid(herald.api.patch("/api/v1/event-type/strict.patch", json("deprecated", "no")), "body", "deprecated");
        assertThat(herald.api.get("/api/v1/event-type/strict.patch").text("description")).isEqualTo("about strict.patch");
    }

    @Test
    void walks_every_event_type_once_in_name_order() {
        var names = IntStream.range(0, 8).mapToObj(i -> "type." + i).toList();
        names.reversed().forEach(EventTypeApiTest::create);
        assertThat(Pages.walk(herald.api, "/api/v1/event-type", 3, "", "name")).containsExactlyElementsOf(names);
        assertThat(Pages.walk(herald.api, "/api/v1/event-type", 3, "&order=descending", "name"))
                .containsExactlyElementsOf(names.reversed());
        assertThat(Pages.walk(herald.api, "/api/v1/event-type", 250, "&order=ascending", "name")).hasSize(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=251", "limit=x", "order=up"})
    void rejects_bad_list_parameters_with_422(String query) {
        var response = herald.api.get("/api/v1/event-type?" + query);
        assertThat(response.status()).as("%s", response).isEqualTo(422);
    }

    @ParameterizedTest
    @CsvSource({"GET,/api/v1/event-type", "POST,/api/v1/event-type", "GET,/api/v1/event-type/a.b",
            "PUT,/api/v1/event-type/a.b", "PATCH,/api/v1/event-type/a.b", "DELETE,/api/v1/event-type/a.b"})
    void refuses_a_wrong_or_missing_token_with_401(String method, String path) {
        String body = json("name", "a.b", "description", "d");
        assertError(herald.api.withToken("sk_wrong").send(method, path, body), 401, "authentication_failed");
        assertError(herald.api.withToken(null).send(method, path, body), 401, "authentication_failed");
    }
}
