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
 * Timestamps are read in years 1 to 9999, in bodies and in query strings. java.time reads years of up to nine digits;
 * such a year overflowed on its way to PostgreSQL: a 500 on the lists, a failed background task on recover and
 * replay, and a 400 blaming storage on publish.
 */
@ExtendWith(TestDatabase.class)
class TimestampRangeTest {
    private static final List<String> OUT_OF_RANGE = List.of("+999999999-12-31T23:59:00Z", "-999999999-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z", "0000-12-31T23:59:59Z");
    static TestHerald herald;
    String app;
    String endpoint;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
    }

    @BeforeEach
    void anEndpoint() {
        app = herald.api.post("/api/v1/app", json("name", "T")).text("id");
        endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/t")).text("id");
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @Test
    void a_body_timestamp_outside_years_1_to_9999_is_a_422_naming_the_field() {
        String ep = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        for (String time : OUT_OF_RANGE) {
            for (var route : List.of(ep + "/recover", ep + "/replay-missing", ep + "/bulk-replay")) {
                refused(herald.api.post(route, "{\"since\":\"" + time + "\"}"), "body", "since");
            }
            refused(herald.api.post("/api/v1/app/" + app + "/msg",
                    "{\"eventType\":\"t\",\"payload\":{},\"deliverAt\":\"" + time + "\"}"), "body", "deliverAt");
            refused(herald.api.post("/api/v1/stats/usage/app",
                    "{\"since\":\"2026-01-01T00:00:00Z\",\"until\":\"" + time + "\"}"), "body", "until");
        }
        assertThat(herald.api.get("/api/v1/background-task?status=failed").body().path("data")).isEmpty();
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg").body().path("data")).isEmpty();
    }

    @Test
    void a_query_timestamp_outside_years_1_to_9999_is_a_422_naming_the_parameter() {
        for (String time : OUT_OF_RANGE) {
            String q = java.net.URLEncoder.encode(time, java.nio.charset.StandardCharsets.UTF_8);
            refused(herald.api.get("/api/v1/app/" + app + "/msg?before=" + q), "query", "before");
            refused(herald.api.get("/api/v1/app/" + app + "/msg?after=" + q), "query", "after");
            refused(herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + endpoint + "?before=" + q), "query", "before");
            refused(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/msg?after=" + q), "query", "after");
            refused(herald.api.get("/api/v1/app/" + app + "/endpoint/" + endpoint + "/stats?since=" + q), "query", "since");
        }
    }

    @Test
    void the_first_and_last_moments_of_the_range_are_taken() {
        String ep = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        for (String time : List.of("0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+00:00")) {
            assertThat(herald.api.post(ep + "/recover", "{\"since\":\"" + time + "\"}").text("status")).isEqualTo("finished");
            String q = java.net.URLEncoder.encode(time, java.nio.charset.StandardCharsets.UTF_8);
            assertThat(herald.api.get("/api/v1/app/" + app + "/msg?before=" + q).status()).isEqualTo(200);
        }
    }

    @Test
    void an_until_before_since_is_a_422_naming_until_and_starts_no_task() {
        String ep = "/api/v1/app/" + app + "/endpoint/" + endpoint;
        for (var route : List.of(ep + "/recover", ep + "/replay-missing", ep + "/bulk-replay")) {
            var response = herald.api.post(route, "{\"since\":\"2026-12-02T00:00:00Z\",\"until\":\"2026-12-01T23:59:59Z\"}");
            assertThat(response.status()).as(route + " " + response).isEqualTo(422);
            var item = response.body().path("detail").get(0);
            assertThat(item.path("loc").toString()).isEqualTo("[\"body\",\"until\"]");
            assertThat(item.path("msg").asText()).isEqualTo("until must not be before since");
            assertThat(herald.api.get("/api/v1/background-task?limit=250").body().path("data").findValues("data").toString())
                    .as("no task was started for " + route).doesNotContain("2026-12-01T23:59:59Z");
            var empty = herald.api.post(route, "{\"since\":\"2026-12-02T00:00:00Z\",\"until\":\"2026-12-02T00:00:00Z\"}");
            assertThat(empty.status()).as("an empty window is taken: " + empty).isEqualTo(202);
        }
    }

    private static void refused(dev.herald.testing.ApiClient.Response response, String where, String field) {
        assertThat(response.status()).as(response.toString()).isEqualTo(422);
        var item = response.body().path("detail").get(0);
        assertThat(item.path("loc").toString()).isEqualTo("[\"" + where + "\",\"" + field + "\"]");
        assertThat(item.path("msg").asText()).isEqualTo("datetime out of range (years 1 to 9999)");
    }
}
