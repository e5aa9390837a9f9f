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
 * A boolean query parameter is {@code true} or {@code false}. Anything else was read as absent: {@code with_content=flase}
 * answered the payload, {@code expunge=yes} archived instead of deleting. Now it is a 422 naming the parameter, given
 * before anything is written.
 */
@ExtendWith(TestDatabase.class)
class QueryBooleanTest {
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
}
