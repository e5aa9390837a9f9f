package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Query parameters that do not parse are refused, never read as absent. A boolean is {@code true} or {@code false}:
 * {@code with_content=flase} answered the payload, {@code expunge=yes} archived instead of deleting; now a 422 naming the
 * parameter, given before anything is written. A broken percent-escape ({@code limit=2%ZZ}) left the parameter out; now
 * a 400.
 */
@ExtendWith(TestDatabase.class)
class QueryParamsTest {
    private static final List<String> NOT_BOOLEANS = List.of("flase", "1", "yes", "on", "%20true");
    static TestHerald herald;
    String app;
    String endpoint;
    String msg;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void aMessage() {
        app = herald.api.post("/api/v1/app", json("name", "B", "uid", "b-app")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/b")).text("id");
        herald.api.post("/api/v1/event-type", json("name", "b.kept", "description", "kept"));
        msg = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"b.kept\",\"payload\":{\"n\":1}}").text("id");
    }

    @Test
    void each_boolean_parameter_refuses_a_value_that_is_not_true_or_false() {
        String a = "/api/v1/app/" + app;
        var reads = List.of(
                new Param("/api/v1/app", "exclude_apps_with_no_endpoints"),
                new Param("/api/v1/app", "exclude_apps_with_disabled_endpoints"),
                new Param(a + "/msg", "with_content"),
                new Param(a + "/msg/" + msg, "with_content"),
                new Param(a + "/attempt/endpoint/" + endpoint, "with_content"),
                new Param(a + "/attempt/endpoint/" + endpoint, "with_msg"),
                new Param(a + "/endpoint/" + endpoint + "/msg", "with_content"),
                new Param(a + "/endpoint/" + endpoint + "/msg", "expanded_statuses"),
                new Param("/api/v1/event-type", "include_archived"),
                new Param("/api/v1/event-type", "with_content"));
        for (String bad : NOT_BOOLEANS) {
            for (var read : reads) {
                Problems.assertInvalid(herald.api.get(read.path() + "?" + read.name() + "=" + bad), "query", read.name());
            }
        }
    }

    @Test
    void a_refused_write_stores_nothing() {
        for (String bad : NOT_BOOLEANS) {
            Problems.assertInvalid(herald.api.post("/api/v1/app/" + app + "/msg?with_content=" + bad,
                    "{\"eventType\":\"b.kept\",\"payload\":{\"n\":2}}"), "query", "with_content");
            Problems.assertInvalid(herald.api.post("/api/v1/app?get_if_exists=" + bad, json("name", "B", "uid", "b-app")),
                    "query", "get_if_exists");
            Problems.assertInvalid(herald.api.delete("/api/v1/event-type/b.kept?expunge=" + bad), "query", "expunge");
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(1);
        assertThat(herald.api.get("/api/v1/app").body().path("data")).hasSize(1);
        assertThat(herald.api.get("/api/v1/event-type/b.kept").body().path("archived").asBoolean()).isFalse();
    }

    @Test
    void true_and_false_are_read_in_any_case_and_an_empty_value_is_the_default() {
        String m = "/api/v1/app/" + app + "/msg/" + msg;
        assertThat(herald.api.get(m + "?with_content=FALSE").body().path("payload").isEmpty()).isTrue();
        assertThat(herald.api.get(m + "?with_content=False").body().path("payload").isEmpty()).isTrue();
        assertThat(herald.api.get(m + "?with_content=TRUE").body().path("payload").path("n").asInt()).isEqualTo(1);
        assertThat(herald.api.get(m + "?with_content=").body().path("payload").path("n").asInt()).isEqualTo(1);

        assertThat(herald.api.delete("/api/v1/event-type/b.kept?expunge=True").status()).isEqualTo(204);
        assertThat(herald.api.get("/api/v1/event-type/b.kept").status()).isEqualTo(404);
    }

    record Param(String path, String name) {}

    @Test
    void a_broken_percent_escape_is_a_400_and_changes_nothing() {
        // sent raw: java.net.URI refuses these targets
        Problems.assertError(herald.api.raw("GET", "/api/v1/app?limit=2%ZZ"), 400, "bad_request");
        Problems.assertError(herald.api.raw("GET", "/api/v1/app/" + app + "/msg?event_types=b.ke%Zt"), 400, "bad_request");
        Problems.assertError(herald.api.raw("GET", "/api/v1/app/" + app + "/msg?with_content=%"), 400, "bad_request");
        Problems.assertError(herald.api.raw("POST", "/api/v1/app/" + app + "/msg?with_content=fals%e"), 400, "bad_request");
        Problems.assertError(herald.api.raw("DELETE", "/api/v1/event-type/b.kept?expunge=tru%ZZ"), 400, "bad_request");
        assertThat(herald.api.raw("GET", "/api/v1/app?limit=2%ZZ").text("detail")).contains("'limit'");

        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(1);
        assertThat(herald.api.get("/api/v1/event-type/b.kept").body().path("archived").asBoolean()).isFalse();
        // well-formed escapes are read as before: %31 is 1
        herald.api.post("/api/v1/app", json("name", "Second"));
        assertThat(herald.api.get("/api/v1/app?limit=%31").body().path("data")).hasSize(1);
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg?event_types=b%2Ekept").body().path("data")).hasSize(1);
    }

    @Test
    void a_name_filter_no_stored_name_can_match_is_a_422_and_a_valid_one_still_filters() {
        String a = "/api/v1/app/" + app;
        var filters = List.of(
                new Param(a + "/msg", "channel"), new Param(a + "/msg", "tag"), new Param(a + "/msg", "event_types"),
                new Param(a + "/attempt/endpoint/" + endpoint, "channel"),
                new Param(a + "/attempt/endpoint/" + endpoint, "tag"),
                new Param(a + "/attempt/endpoint/" + endpoint, "event_types"),
                new Param(a + "/attempt/msg/" + msg, "event_types"),
                new Param(a + "/endpoint/" + endpoint + "/msg", "channel"),
                new Param(a + "/endpoint/" + endpoint + "/msg", "event_types"));
        for (var filter : filters) {
            for (String bad : List.of("%24%24bad", "a%20b", "x".repeat(300))) {
                Problems.assertInvalid(herald.api.get(filter.path() + "?" + filter.name() + "=" + bad), "query", filter.name());
            }
            assertThat(herald.api.get(filter.path() + "?" + filter.name() + "=").status()).as(filter.toString()).isEqualTo(200);
        }
        Problems.assertInvalid(herald.api.get(a + "/msg?event_types=b.kept,%24%24bad"), "query", "event_types");
        assertThat(herald.api.get(a + "/msg?event_types=b.kept").body().path("data")).hasSize(1);
        assertThat(herald.api.get(a + "/msg?event_types=b.other").body().path("data")).isEmpty();
        assertThat(herald.api.get(a + "/msg?channel=eu:west").status()).isEqualTo(200);
    }

    /** Javalin decodes query parameters in the Content-Type's charset: a broken one was a 500, an unknown one dropped them all. */
    @Test
    void a_content_type_charset_that_cannot_be_read_is_a_400() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        for (String contentType : new String[] {"application/json; charset", "application/json; charset=", "application/json; charset=nope",
                "application/json; charset=\"utf-8"}) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.baseUrl() + "/api/v1/app/" + app + "/msg?limit=1"))
                    .header("Authorization", "Bearer " + TestHerald.ADMIN_TOKEN).header("Content-Type", contentType).GET().build();
            var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(contentType + ": " + response.body()).isEqualTo(400);
            assertThat(response.body()).contains("\"code\":\"bad_request\"").contains("charset");
        }
        var utf8 = java.net.http.HttpRequest.newBuilder(java.net.URI.create(herald.baseUrl() + "/api/v1/app/" + app + "/msg?limit=1"))
                .header("Authorization", "Bearer " + TestHerald.ADMIN_TOKEN).header("Content-Type", "application/json; charset=UTF-8").GET().build();
        assertThat(http.send(utf8, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    /** svix-server's EventTypesQuery takes event_types[]= and event_types[N]= too; Herald read them as absent and listed all. */
    @Test
    void event_types_in_bracket_form_filter_as_the_plain_form_does() {
        herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"b.other\",\"payload\":{\"n\":2}}");
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).hasSize(2);
        for (String query : new String[] {"event_types=b.kept", "event_types%5B%5D=b.kept", "event_types%5B0%5D=b.kept"}) {
            var page = herald.api.get("/api/v1/app/" + app + "/msg?" + query).body().path("data");
            assertThat(page).as(query).hasSize(1);
            assertThat(page.get(0).path("eventType").asText()).isEqualTo("b.kept");
        }
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg?event_types%5B0%5D=b.kept&event_types%5B1%5D=b.other")
                .body().path("data")).hasSize(2);
    }
}
