package dev.herald.api;

import static dev.herald.api.Problems.assertError;
import static dev.herald.api.Problems.assertInvalid;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.AtOnce;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.ArrayList;
import java.util.Collections;
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
class ApplicationApiTest {
    static TestHerald herald;

    @BeforeAll
    static void start() {
        TestDatabase.clean(); // leftover queued work from earlier classes must not reach this server
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    private static String create(String name, String uid) {
        var created = herald.api.post("/api/v1/app", uid == null ? json("name", name) : json("name", name, "uid", uid));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        return created.text("id");
    }

    @Test
    void creates_reads_and_lists_an_application() {
        var created = herald.api.post("/api/v1/app", json("name", "Acme", "uid", "acme", "metadata", Map.of("plan", "pro")));
        assertThat(created.status()).isEqualTo(201);
        String id = created.text("id");
        assertThat(id).startsWith("app_").hasSize(31);
        assertThat(created.text("createdAt")).endsWith("Z");

        var byUid = herald.api.get("/api/v1/app/acme");
        assertThat(byUid.status()).isEqualTo(200);
        assertThat(byUid.text("id")).isEqualTo(id);
        assertThat(byUid.body().path("metadata").path("plan").asText()).isEqualTo("pro");

        var list = herald.api.get("/api/v1/app");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().path("data")).hasSize(1);
        assertThat(list.body().path("done").asBoolean()).isTrue();
    }

    @Test
    void echoes_every_field_of_application_in() {
        var created = herald.api.post("/api/v1/app", json("name", "Full", "uid", "full-1.x_y", "rateLimit", 100,
                "throttleRate", 7, "metadata", Map.of("a", "1", "b", "2")));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("name")).isEqualTo("Full");
        assertThat(created.text("uid")).isEqualTo("full-1.x_y");
        assertThat(created.body().path("rateLimit").asLong()).isEqualTo(100);
        assertThat(created.body().path("throttleRate").asLong()).isEqualTo(7);
        assertThat(created.body().path("metadata").size()).isEqualTo(2);
        assertThat(created.text("updatedAt")).isEqualTo(created.text("createdAt"));
    }

    @Test
    void reads_back_exactly_what_create_answered() {
        var created = herald.api.post("/api/v1/app", json("name", "Same", "uid", "same"));
        var read = herald.api.get("/api/v1/app/" + created.text("id"));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(created.body());
    }

    @Test
    void finds_an_application_by_id_and_by_uid() {
        String id = create("Both", "both-uid");
        assertThat(herald.api.get("/api/v1/app/" + id).text("uid")).isEqualTo("both-uid");
        assertThat(herald.api.get("/api/v1/app/both-uid").text("id")).isEqualTo(id);
    }

    @Test
    void get_if_exists_returns_the_existing_application_with_200() {
        String id = create("First", "same-uid");
        var again = herald.api.post("/api/v1/app?get_if_exists=true", json("name", "Second", "uid", "same-uid"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.text("id")).isEqualTo(id);
        assertThat(again.text("name")).isEqualTo("First");
        assertThat(herald.api.get("/api/v1/app").body().path("data")).hasSize(1);
    }

    @Test
    void get_if_exists_creates_when_the_uid_is_new() {
        var created = herald.api.post("/api/v1/app?get_if_exists=true", json("name", "New", "uid", "new-uid"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("uid")).isEqualTo("new-uid");
    }

    @Test
    void concurrent_get_if_exists_calls_all_answer_the_same_application() throws Exception {
        var answers = AtOnce.run(12, i -> herald.api.post("/api/v1/app?get_if_exists=true", json("name", "Racy", "uid", "racy")));
        var ids = new java.util.HashSet<String>();
        for (var response : answers) {
            assertThat(response.status()).as("%s", response).isIn(200, 201);
            ids.add(response.text("id"));
        }
        assertThat(ids).hasSize(1);
        assertThat(herald.api.get("/api/v1/app").body().path("data")).hasSize(1);
    }

    @Test
    void get_if_exists_still_validates_the_body_once() {
        var response = herald.api.post("/api/v1/app?get_if_exists=true", json("uid", "bad uid"));
        assertInvalid(response, "body", "name");
        assertInvalid(response, "body", "uid");
        assertThat(response.body().path("detail")).hasSize(2);
    }

    @Test
    void duplicate_uid_is_a_409_conflict() {
        create("One", "taken");
        assertError(herald.api.post("/api/v1/app", json("name", "Two", "uid", "taken")), 409, "conflict");
    }

    @ParameterizedTest
    @ValueSource(strings = {"has space", "ünïcode", "semi;colon", "slash/y", ""})
    void rejects_a_uid_outside_the_allowed_alphabet(String uid) {
        assertInvalid(herald.api.post("/api/v1/app", json("name", "x", "uid", uid)), "body", "uid");
    }

    @Test
    void rejects_a_uid_longer_than_256_characters() {
        assertInvalid(herald.api.post("/api/v1/app", json("name", "x", "uid", "u".repeat(257))), "body", "uid");
    }

    @Test
    void missing_name_is_a_422_naming_the_field() {
        var response = herald.api.post("/api/v1/app", json("uid", "x"));
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"name\"]");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"name\": 123}|name",
            "{\"name\": \"\"}|name",
            "{\"name\": null}|name",
            "{\"name\": [\"a\"]}|name",
            "{\"name\": \"a\", \"uid\": 5}|uid",
            "{\"name\": \"a\", \"rateLimit\": \"fast\"}|rateLimit",
            "{\"name\": \"a\", \"rateLimit\": -1}|rateLimit",
            "{\"name\": \"a\", \"rateLimit\": 1.5}|rateLimit",
            "{\"name\": \"a\", \"rateLimit\": 1e400}|rateLimit",
            "{\"name\": \"a\", \"rateLimit\": 0}|rateLimit",
            "{\"name\": \"a\", \"rateLimit\": 65536}|rateLimit",
            "{\"name\": \"a\", \"throttleRate\": 0}|throttleRate",
            "{\"name\": \"a\", \"throttleRate\": 70000}|throttleRate",
            "{\"name\": \"a\", \"throttleRate\": true}|throttleRate",
            "{\"name\": \"a\", \"metadata\": \"x\"}|metadata",
            "{\"name\": \"a\", \"metadata\": {\"k\": 1}}|metadata",
            "{\"name\": \"a\", \"metadata\": {\"k\": null}}|metadata",
    })
    void rejects_missing_or_wrong_typed_fields_with_422(String body, String field) {
        assertInvalid(herald.api.post("/api/v1/app", body), "body", field);
    }

    /** Svix's rates are u16 (at least 1) in its SDKs: a larger one stored broke their reads of a list. */
    @Test
    void rates_are_taken_from_1_to_65535_on_create_put_and_patch() {
        String id = herald.api.post("/api/v1/app", json("name", "R", "rateLimit", 65535, "throttleRate", 1)).text("id");
        var got = herald.api.get("/api/v1/app/" + id).body();
        assertThat(got.path("rateLimit").asLong()).isEqualTo(65535);
        assertThat(got.path("throttleRate").asLong()).isEqualTo(1);
        for (String field : List.of("rateLimit", "throttleRate")) {
            for (long bad : new long[] {0, 65536}) {
                assertInvalid(herald.api.patch("/api/v1/app/" + id, json(field, bad)), "body", field);
                assertInvalid(herald.api.put("/api/v1/app/" + id, json("name", "R", field, bad)), "body", field);
            }
        }
        assertThat(herald.api.get("/api/v1/app/" + id).body()).as("unchanged").isEqualTo(got);
    }

    @Test
    void rejects_a_name_longer_than_256_characters() {
        assertInvalid(herald.api.post("/api/v1/app", json("name", "n".repeat(257))), "body", "name");
    }

    @Test
    void reports_every_invalid_field_at_once() {
        var response = herald.api.post("/api/v1/app", json("uid", "bad uid", "rateLimit", "x"));
        assertInvalid(response, "body", "name");
        assertInvalid(response, "body", "uid");
        assertInvalid(response, "body", "rateLimit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "\"text\"", "{\"name\": \"a\", \"name\": \"b\"}", "{\"name\": \"a\""})
    void rejects_a_body_that_is_not_one_json_object_with_422(String body) {
        var response = herald.api.post("/api/v1/app", body);
        assertThat(response.status()).as("%s", response).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("body");
        Problems.assertNoStackTrace(response);
    }

    @Test
    void rejects_absurdly_deep_json_with_422() {
        String deep = "{\"name\":\"a\",\"metadata\":" + "[".repeat(2000) + "]".repeat(2000) + "}";
        var response = herald.api.post("/api/v1/app", deep);
        assertThat(response.status()).as("%s", response).isEqualTo(422);
    }

    @Test
    void rejects_nul_characters_in_strings_with_422_not_500() {
        assertInvalid(herald.api.post("/api/v1/app", "{\"name\":\"a\\u0000b\"}"), "body", "name");
        var inMetadata = herald.api.post("/api/v1/app", "{\"name\":\"a\",\"metadata\":{\"k\\u0000\":\"v\"}}");
        assertThat(inMetadata.status()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/app").body().path("data")).isEmpty();
    }

    @Test
    void unknown_application_is_404_on_every_route() {
        assertError(herald.api.get("/api/v1/app/app_nope"), 404, "not_found");
        assertError(herald.api.patch("/api/v1/app/app_nope", json("name", "x")), 404, "not_found");
        assertError(herald.api.delete("/api/v1/app/app_nope"), 404, "not_found");
        assertError(herald.api.get("/api/v1/app/app_nope/endpoint"), 404, "not_found");
    }

    @Test
    void put_replaces_an_existing_application() {
        var created = herald.api.post("/api/v1/app", json("name", "Old", "uid", "put-me", "rateLimit", 5,
                "metadata", Map.of("k", "v")));
        String id = created.text("id");
        var put = herald.api.put("/api/v1/app/" + id, json("name", "New", "uid", "put-me", "metadata", Map.of("n", "1")));
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.text("id")).isEqualTo(id);
        assertThat(put.text("name")).isEqualTo("New");
        assertThat(put.body().path("rateLimit").isNull()).as("absent in a PUT means unset").isTrue();
        assertThat(put.body().path("metadata").toString()).isEqualTo("{\"n\":\"1\"}");
        assertThat(put.text("createdAt")).isEqualTo(created.text("createdAt"));
        assertThat(herald.api.get("/api/v1/app/put-me").text("name")).isEqualTo("New");
    }

    @Test
    void put_creates_a_missing_application_with_the_path_key_as_uid() {
        var put = herald.api.put("/api/v1/app/made-by-put", json("name", "Upserted"));
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.text("uid")).isEqualTo("made-by-put");
        assertThat(put.text("id")).startsWith("app_");
        assertThat(herald.api.get("/api/v1/app/made-by-put").text("name")).isEqualTo("Upserted");
    }

    @Test
    void put_validates_the_body() {
        String id = create("Valid", null);
        assertInvalid(herald.api.put("/api/v1/app/" + id, json("uid", "x")), "body", "name");
        assertThat(herald.api.get("/api/v1/app/" + id).text("name")).isEqualTo("Valid");
    }

    @Test
    void put_to_a_uid_another_application_holds_is_409() {
        create("A", "uid-a");
        String b = create("B", "uid-b");
        assertError(herald.api.put("/api/v1/app/" + b, json("name", "B", "uid", "uid-a")), 409, "conflict");
    }

    @Test
    void patch_leaves_absent_fields_unchanged() {
        String id = herald.api.post("/api/v1/app", json("name", "Keep", "uid", "keep", "rateLimit", 9,
                "throttleRate", 3, "metadata", Map.of("k", "v"))).text("id");
        var patched = herald.api.patch("/api/v1/app/" + id, json("name", "Renamed"));
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.text("name")).isEqualTo("Renamed");
        assertThat(patched.text("uid")).isEqualTo("keep");
        assertThat(patched.body().path("rateLimit").asLong()).isEqualTo(9);
        assertThat(patched.body().path("throttleRate").asLong()).isEqualTo(3);
        assertThat(patched.body().path("metadata").path("k").asText()).isEqualTo("v");
        assertThat(herald.api.get("/api/v1/app/keep").text("name")).isEqualTo("Renamed");
    }

    @Test
    void patch_with_explicit_null_clears_the_field() {
        String id = herald.api.post("/api/v1/app", json("name", "Clear", "uid", "clear", "rateLimit", 9,
                "throttleRate", 3, "metadata", Map.of("k", "v"))).text("id");
        var patched = herald.api.patch("/api/v1/app/" + id,
                "{\"uid\": null, \"rateLimit\": null, \"throttleRate\": null, \"metadata\": {}}");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(patched.body().path("uid").isNull()).isTrue();
        assertThat(patched.body().path("rateLimit").isNull()).isTrue();
        assertThat(patched.body().path("throttleRate").isNull()).isTrue();
        // metadata has no null state (svix-server's ApplicationPatch: a null is a 422, EndpointPatchNullsTest); {} empties it
        assertThat(patched.body().path("metadata").size()).isZero();
        assertError(herald.api.get("/api/v1/app/clear"), 404, "not_found");
    }

    @Test
    void patch_cannot_null_the_name() {
        String id = create("Named", null);
        assertInvalid(herald.api.patch("/api/v1/app/" + id, "{\"name\": null}"), "body", "name");
        assertInvalid(herald.api.patch("/api/v1/app/" + id, json("rateLimit", "x")), "body", "rateLimit");
        assertThat(herald.api.get("/api/v1/app/" + id).text("name")).isEqualTo("Named");
    }

    @Test
    void delete_removes_the_application_and_its_endpoints() {
        String id = create("Doomed", "doomed");
        assertThat(herald.api.post("/api/v1/app/" + id + "/endpoint", json("url", "https://example.com/h")).status())
                .isEqualTo(201);
        assertThat(herald.api.delete("/api/v1/app/doomed").status()).isEqualTo(204);
        assertError(herald.api.get("/api/v1/app/" + id), 404, "not_found");
        assertThat(TestDatabase.jdbi().<Integer, RuntimeException>withHandle(h -> h.createQuery("select count(*) from endpoint")
                .mapTo(Integer.class).one())).isZero();
    }

    @Test
    void walks_every_application_once_through_the_iterator() {
        var ids = new ArrayList<String>();
        IntStream.range(0, 7).forEach(i -> ids.add(create("app-" + i, null)));

        // oldest first by default, as svix-server lists applications
        assertThat(Pages.walk(herald.api, "/api/v1/app", 3, "", "id")).containsExactlyElementsOf(ids);
        var newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);
        assertThat(Pages.walk(herald.api, "/api/v1/app", 3, "&order=descending", "id")).containsExactlyElementsOf(newestFirst);
        assertThat(Pages.walk(herald.api, "/api/v1/app", 3, "&order=ascending", "id")).containsExactlyElementsOf(ids);
        assertThat(Pages.walk(herald.api, "/api/v1/app", 7, "", "id")).hasSize(7);
        assertThat(Pages.walk(herald.api, "/api/v1/app", 250, "&order=descending", "id")).hasSize(7);
    }

    @Test
    void prev_iterator_leads_back_to_the_previous_page() {
        IntStream.range(0, 5).forEach(i -> create("p-" + i, null));
        var first = herald.api.get("/api/v1/app?limit=2&order=ascending");
        var second = herald.api.get("/api/v1/app?limit=2&order=ascending&iterator=" + first.text("iterator"));
        var back = herald.api.get("/api/v1/app?limit=2&order=ascending&iterator=" + second.text("prevIterator"));
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.body().path("data")).isEqualTo(first.body().path("data"));
        // as svix-server: back at the first page, the walk backwards is done (it never said so, and a client walking
        // back until done asked for the first page for ever)
        assertThat(back.body().path("done").asBoolean()).isTrue();
        var third = herald.api.get("/api/v1/app?limit=2&order=ascending&iterator=" + second.text("iterator"));
        var backToSecond = herald.api.get("/api/v1/app?limit=2&order=ascending&iterator=" + third.text("prevIterator"));
        assertThat(backToSecond.body().path("data")).isEqualTo(second.body().path("data"));
        assertThat(backToSecond.body().path("done").asBoolean()).as("an earlier page is left").isFalse();
    }

    @Test
    void accepts_an_iterator_shaped_as_an_application_id_that_names_no_row() {
        create("after-iterator", null);
        var before = herald.api.get("/api/v1/app?order=descending&iterator=app_000000000000000000000000000");
        assertThat(before.status()).as("%s", before).isEqualTo(200);
        assertThat(before.body().path("data")).isEmpty();
        var after = herald.api.get("/api/v1/app?order=ascending&iterator=app_000000000000000000000000000");
        assertThat(after.status()).as("%s", after).isEqualTo(200);
        assertThat(after.body().path("data")).isNotEmpty();
    }

    @Test
    void a_page_past_the_last_is_empty_with_no_iterator_so_a_walk_until_the_iterator_is_null_ends() {
        IntStream.range(0, 3).forEach(i -> create("end-" + i, null));
        var last = herald.api.get("/api/v1/app?limit=3");
        assertThat(last.body().path("done").asBoolean()).isTrue();
        String iterator = last.text("iterator");
        assertThat(iterator).startsWith("app_");
        var past = herald.api.get("/api/v1/app?limit=3&iterator=" + iterator);
        assertThat(past.body().path("data")).isEmpty();
        assertThat(past.body().path("done").asBoolean()).isTrue();
        assertThat(past.body().path("iterator").isNull()).as("%s", past).isTrue();
        assertThat(past.body().path("prevIterator").isNull()).as("%s", past).isTrue();
    }

    @Test
    void defaults_to_fifty_per_page() {
        IntStream.range(0, 51).forEach(i -> create("many-" + i, null));
        var page = herald.api.get("/api/v1/app");
        assertThat(page.body().path("data")).hasSize(50);
        assertThat(page.body().path("done").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=251", "limit=-1", "limit=ten", "limit=99999999999", "order=sideways",
            "iterator=%00", "iterator=", "iterator=-", "iterator=%24%24invalid", "iterator=garbage", "iterator=ep_2bQz6gkxHTjGSiKhOjExcbsGeAq",
            "iterator=app_2bQz6gkxHTjGSiKhOjExcbsGeA", "iterator=app_2bQz6gkxHTjGSiKhOjExcbsGe%2Bq", "iterator=--app_2bQz6gkxHTjGSiKhOjExcbsGeAq"})
    void rejects_bad_list_parameters_with_422(String query) {
        var response = herald.api.get("/api/v1/app?" + query);
        assertThat(response.status()).as("%s", response).isEqualTo(422);
        assertThat(response.body().path("detail").get(0).path("loc").get(0).asText()).isEqualTo("query");
    }

    @Test
    void health_needs_no_token() {
        assertThat(herald.api.withToken(null).get("/api/v1/health").status()).isEqualTo(204);
    }

    @Test
    void refuses_missing_token_with_401() {
        var response = herald.api.withToken(null).get("/api/v1/app");
        assertThat(response.status()).isEqualTo(401);
        assertThat(response.text("code")).isEqualTo("authentication_failed");
    }

    @ParameterizedTest
    @CsvSource({"GET,/api/v1/app", "POST,/api/v1/app", "GET,/api/v1/app/some-app", "PUT,/api/v1/app/some-app",
            "PATCH,/api/v1/app/some-app", "DELETE,/api/v1/app/some-app"})
    void refuses_a_wrong_token_with_401(String method, String path) {
        var response = herald.api.withToken("sk_wrong").send(method, path, json("name", "x"));
        assertError(response, 401, "authentication_failed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Basic c2tfdGVzdA==", "Bearer", "Bearer ", TestHerald.ADMIN_TOKEN,
            "Token " + TestHerald.ADMIN_TOKEN, "Bearer" + TestHerald.ADMIN_TOKEN})
    void refuses_a_malformed_authorization_header_with_401(String header) {
        var response = herald.api.withToken(null).send("GET", "/api/v1/app", null, "Authorization", header);
        assertError(response, 401, "authentication_failed");
    }

    @Test
    void a_refused_request_changes_nothing() {
        assertThat(herald.api.withToken("sk_wrong").post("/api/v1/app", json("name", "x")).status()).isEqualTo(401);
        assertThat(herald.api.get("/api/v1/app").body().path("data")).isEmpty();
    }

    @Test
    void rejects_an_oversized_body_with_json_413() {
        var response = herald.api.post("/api/v1/app", json("name", "x".repeat(2 * 1024 * 1024)));
        assertError(response, 413, "payload_too_large");
        assertThat(herald.api.get("/api/v1/app").body().path("data")).isEmpty();
    }

    @Test
    void unknown_routes_answer_json_404() {
        var unknown = herald.api.get("/api/v1/nope");
        assertError(unknown, 404, "not_found");
        assertThat(unknown.text("detail")).isEqualTo("No such route: GET /api/v1/nope");
    }

    @Test
    void a_known_route_asked_with_another_method_answers_json_405() {
        assertError(herald.api.delete("/api/v1/app"), 405, "method_not_allowed");
        assertError(herald.api.post("/api/v1/app/some-app", "{}"), 405, "method_not_allowed");
    }

    @Test
    void undecodable_paths_answer_json_400() {
        assertError(herald.api.get("/api/v1/app/%E2%82"), 400, "bad_request");
    }

    /** Svix's one limit on metadata: 4,096 bytes written as JSON, however many entries. */
    @Test
    void metadata_is_held_to_svix_s_size_not_to_a_count() {
        var many = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < 150; i++) many.put("k" + i, "v");
        var created = herald.api.post("/api/v1/app", json("name", "many", "metadata", many));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().path("metadata").size()).isEqualTo(150);

        var big = herald.api.post("/api/v1/app", json("name", "big", "metadata", Map.of("a", "x".repeat(3000), "b", "y".repeat(3000))));
        assertThat(big.status()).as(big.raw()).isEqualTo(422);
        assertThat(big.raw()).contains("4096 bytes");
        var endpointBig = herald.api.post("/api/v1/app/" + created.text("id") + "/endpoint", json("url", "https://example.com/h",
                "metadata", Map.of("a", "x".repeat(4100))));
        assertThat(endpointBig.status()).as(endpointBig.raw()).isEqualTo(422);
    }

    /**
     * Two PATCHes of different fields at once (a rate limit on one node, a rename on another) both land. Each was read,
     * merged and written whole: the one written second put back the other's field as it had read it. A trigger holds
     * the first write so the second reads the row before it commits.
     */
    @Test
    void patches_of_different_fields_at_once_both_land() throws Exception {
        String app = herald.api.post("/api/v1/app", json("name", "before")).text("id");
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                create function herald_test_slow_app() returns trigger language plpgsql as $$
                begin perform pg_sleep(0.5); return new; end $$;
                create trigger herald_test_slow_app before update on application for each row execute function herald_test_slow_app();
                """));
        try {
            var statuses = AtOnce.run(2, i -> i == 0
                    ? herald.api.patch("/api/v1/app/" + app, json("name", "renamed")).status()
                    : herald.api.patch("/api/v1/app/" + app, "{\"throttleRate\":7}").status());
            assertThat(statuses).containsExactly(200, 200);
        } finally {
            TestDatabase.jdbi().useHandle(h -> h.execute("""
                    drop trigger herald_test_slow_app on application;
                    drop function herald_test_slow_app();
                    """));
        }
        var read = herald.api.get("/api/v1/app/" + app);
        assertThat(read.text("name")).isEqualTo("renamed");
        assertThat(read.body().path("throttleRate").asInt()).isEqualTo(7);
    }

    /**
     * A uid moved from one application to another: a publish to it that follows on the same node goes to the
     * application that has it now. The node had cached the uid for publishing (1 s), and the message went to the
     * application that gave it up.
     */
    @Test
    void a_publish_to_a_uid_just_moved_goes_to_its_new_application() {
        String old = herald.api.post("/api/v1/app", json("name", "old", "uid", "acme")).text("id");
        assertThat(herald.api.post("/api/v1/app/acme/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(202);
        assertThat(herald.api.patch("/api/v1/app/" + old, json("uid", "acme-old")).status()).isEqualTo(200);
        String now = herald.api.post("/api/v1/app", json("name", "new", "uid", "acme")).text("id");
        var published = herald.api.post("/api/v1/app/acme/msg", "{\"eventType\":\"t\",\"payload\":{}}");
        assertThat(published.status()).isEqualTo(202);
        assertThat(herald.api.get("/api/v1/app/" + now + "/msg/" + published.text("id")).status()).isEqualTo(200);
        assertThat(herald.api.get("/api/v1/app/" + old + "/msg").body().path("data")).hasSize(1);
    }
}
