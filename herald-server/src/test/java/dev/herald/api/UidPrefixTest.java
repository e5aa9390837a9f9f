package dev.herald.api;

import static dev.herald.api.Problems.assertInvalid;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A path takes an id or a uid, and an id is looked up first: a uid that starts with its kind's id prefix
 * ({@code app_x}) reads as an id, so it named nothing, or another object when it was that object's id. As Svix, such a
 * uid (and a message's {@code eventId} starting {@code msg_}) is a 422 wherever one is written.
 */
@ExtendWith(TestDatabase.class)
class UidPrefixTest {
    static TestHerald herald;
    static String app;

    @BeforeAll
    static void start() {
        TestDatabase.clean();
        herald = TestHerald.start();
    }

    @BeforeEach
    void anApplication() { // TestDatabase empties the tables before each test
        app = herald.api.post("/api/v1/app", json("name", "Owner", "uid", "owner")).text("id");
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    /** A uid of "." or ".." is a dot-segment in a URL: normalised away, the path would name the resource above it. */
    @Test
    void a_uid_of_dots_alone_is_refused() {
        assertInvalid(herald.api.post("/api/v1/app", json("name", "Dots", "uid", "..")), "body", "uid");
        assertInvalid(herald.api.post("/api/v1/app", json("name", "Dot", "uid", ".")), "body", "uid");
        assertInvalid(herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", "http://127.0.0.1:9/x", "uid", "..")),
                "body", "uid");
        assertThat(herald.api.post("/api/v1/app", json("name", "Dotted", "uid", "a..b")).status()).isEqualTo(201);
    }

    @Test
    void an_application_uid_that_reads_as_an_id_is_refused_where_it_is_written() {
        // the other application's id as a uid: before, made, and the path still named the other one
        assertInvalid(herald.api.post("/api/v1/app", json("name", "Shadow", "uid", app)), "body", "uid");
        assertInvalid(herald.api.post("/api/v1/app", json("name", "Shadow", "uid", "app_anything")), "body", "uid");
        assertInvalid(herald.api.put("/api/v1/app/shadow-put", json("name", "Shadow", "uid", "app_x")), "body", "uid");
        assertInvalid(herald.api.patch("/api/v1/app/owner", json("uid", "app_x")), "body", "uid");
        assertInvalid(herald.api.post("/api/v1/app/app-by-publish/msg",
                "{\"eventType\":\"a.b\",\"payload\":{},\"application\":{\"name\":\"A\",\"uid\":\"app_x\"}}"),
                "body", "application", "uid");

        assertThat(herald.api.get("/api/v1/app/" + app).text("name")).isEqualTo("Owner");
        assertThat(herald.api.get("/api/v1/app/owner").text("uid")).isEqualTo("owner");
        assertThat(herald.api.get("/api/v1/app/shadow-put").status()).isEqualTo(404);
        assertThat(herald.api.get("/api/v1/app/app-by-publish").status()).isEqualTo(404);
        // the prefix only counts at the start
        assertThat(herald.api.post("/api/v1/app", json("name", "Fine", "uid", "_app_x")).status()).isEqualTo(201);
        assertThat(herald.api.post("/api/v1/app", json("name", "Fine", "uid", "my-app_x")).status()).isEqualTo(201);
    }

    @Test
    void an_endpoint_uid_that_reads_as_an_id_is_refused() {
        String endpoints = "/api/v1/app/" + app + "/endpoint";
        var first = herald.api.post(endpoints, json("url", "https://example.com/first", "uid", "first"));
        assertThat(first.status()).isEqualTo(201);

        assertInvalid(herald.api.post(endpoints, json("url", "https://example.com/s", "uid", first.text("id"))), "body", "uid");
        assertInvalid(herald.api.put(endpoints + "/second", json("url", "https://example.com/s", "uid", "ep_x")), "body", "uid");
        assertInvalid(herald.api.patch(endpoints + "/first", json("uid", "ep_x")), "body", "uid");

        assertThat(herald.api.get(endpoints + "/" + first.text("id")).text("uid")).isEqualTo("first");
        assertThat(herald.api.get(endpoints + "/second").status()).isEqualTo(404);
        assertThat(herald.api.post(endpoints, json("url", "https://example.com/s", "uid", "sep_x")).status()).isEqualTo(201);
    }

    @Test
    void an_event_id_that_reads_as_a_message_id_is_refused_before_anything_is_stored() {
        String messages = "/api/v1/app/" + app + "/msg";
        assertInvalid(herald.api.post(messages, "{\"eventType\":\"a.b\",\"payload\":{},\"eventId\":\"msg_1\"}"), "body", "eventId");
        assertThat(herald.api.get(messages + "/msg_1").status()).isEqualTo(404);
        assertThat(herald.api.get(messages).body().path("data").size()).isZero();
        assertThat(herald.api.post(messages, "{\"eventType\":\"a.b\",\"payload\":{},\"eventId\":\"order:msg_1\"}").status()).isEqualTo(202);
    }

    @Test
    void pollers_and_connectors_refuse_their_own_prefixes() {
        String pollers = "/api/v1/app/" + app + "/polling-endpoint";
        assertInvalid(herald.api.post(pollers, json("uid", "poll_x")), "body", "uid");
        // a poller is also named on the destination routes, beside endpoints
        assertInvalid(herald.api.post(pollers, json("uid", "ep_x")), "body", "uid");
        assertThat(herald.api.post(pollers, json("uid", "poller-1")).status()).isEqualTo(201);

        assertInvalid(herald.api.post("/api/v1/connector", json("name", "C", "uid", "trtmpl_x", "transformation", "{}")), "body", "uid");
        assertThat(herald.api.post("/api/v1/connector", json("name", "C", "uid", "connector-1", "transformation", "{}")).status()).isEqualTo(201);
    }
}
