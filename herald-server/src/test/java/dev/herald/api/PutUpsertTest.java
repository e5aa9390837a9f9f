package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient.Response;
import dev.herald.testing.AtOnce;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PUT to a uid (an application's, an endpoint's, a destination's), an event type's name or an AutoConfig's subscription
 * makes the resource once and replaces it after, however often it is sent and however many are sent at once. A repeated
 * PUT to an application's uid once alternated between making an application and clearing its uid (so the next made
 * another); racing PUTs answered 409 or 404.
 */
@ExtendWith(TestDatabase.class)
class PutUpsertTest {
    private static final int RACERS = 16;
    static TestHerald herald;
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
    void anApplication() {
        app = herald.api.post("/api/v1/app", json("name", "P")).text("id");
    }

    private static long count(String sql) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
    }

    /** Sends {@code RACERS} requests at once; their answers in the order sent. */
    private static List<Response> atOnce(IntFunction<Response> request) throws Exception {
        return AtOnce.run(RACERS, request);
    }

    private static void oneMadeTheRestReplaced(List<Response> answers) {
        assertThat(answers).as("answers").allMatch(r -> r.status() == 200 || r.status() == 201, "200 or 201");
        assertThat(answers.stream().filter(r -> r.status() == 201)).as("made once").hasSize(1);
    }

    @Test
    void a_put_to_an_application_uid_sent_again_replaces_the_application_and_keeps_its_uid() {
        var first = herald.api.put("/api/v1/app/tenant-42", json("name", "One"));
        assertThat(first.status()).isEqualTo(201);
        for (String name : List.of("Two", "Three")) {
            var again = herald.api.put("/api/v1/app/tenant-42", json("name", name));
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.text("id")).isEqualTo(first.text("id"));
            assertThat(again.text("uid")).isEqualTo("tenant-42");
            assertThat(again.text("name")).isEqualTo(name);
        }
        assertThat(count("select count(*) from application where name in ('One', 'Two', 'Three')")).isEqualTo(1);
        var byId = herald.api.put("/api/v1/app/" + first.text("id"), json("name", "Four"));
        assertThat(byId.body().path("uid").isNull()).as("a PUT by id replaces the uid as Svix does: none given, none kept").isTrue();
    }

    @Test
    void a_put_to_an_endpoint_uid_sent_again_replaces_the_endpoint_and_keeps_its_uid() {
        String base = "/api/v1/app/" + app + "/endpoint/";
        var first = herald.api.put(base + "billing", json("url", "https://example.com/1"));
        assertThat(first.status()).isEqualTo(201);
        for (String url : List.of("https://example.com/2", "https://example.com/3")) {
            var again = herald.api.put(base + "billing", json("url", url));
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.text("id")).isEqualTo(first.text("id"));
            assertThat(again.text("uid")).isEqualTo("billing");
            assertThat(again.text("url")).isEqualTo(url);
        }
        assertThat(count("select count(*) from endpoint where app_id = '" + app + "'")).isEqualTo(1);
        var renamed = herald.api.put(base + "billing", json("url", "https://example.com/4", "uid", "invoices"));
        assertThat(renamed.text("uid")).as("a uid in the body still replaces it").isEqualTo("invoices");
    }

    @Test
    void a_put_to_a_destination_uid_sent_again_replaces_the_destination_and_keeps_its_uid() {
        String base = "/api/v1/app/" + app + "/destination/";
        var first = herald.api.put(base + "ledger", "{\"type\":\"pollingEndpoint\"}");
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        for (int i = 0; i < 2; i++) {
            var again = herald.api.put(base + "ledger", "{\"type\":\"pollingEndpoint\"}");
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.text("id")).isEqualTo(first.text("id"));
            assertThat(again.text("uid")).isEqualTo("ledger");
        }
        assertThat(count("select count(*) from poller where app_id = '" + app + "'")).isEqualTo(1);
    }

    @Test
    void racing_puts_to_a_new_destination_uid_make_one_destination() throws Exception {
        var answers = atOnce(i -> herald.api.put("/api/v1/app/" + app + "/destination/raced", "{\"type\":\"pollingEndpoint\"}"));
        oneMadeTheRestReplaced(answers);
        assertThat(answers.stream().map(r -> r.text("id")).distinct()).hasSize(1);
        assertThat(count("select count(*) from poller where app_id = '" + app + "'")).isEqualTo(1);
    }

    @Test
    void racing_puts_to_a_new_application_uid_make_one_application() throws Exception {
        var answers = atOnce(i -> herald.api.put("/api/v1/app/raced", json("name", "R" + i)));
        oneMadeTheRestReplaced(answers);
        assertThat(answers).allMatch(r -> "raced".equals(r.text("uid")));
        assertThat(answers.stream().map(r -> r.text("id")).distinct()).hasSize(1);
        assertThat(count("select count(*) from application where name like 'R%'")).isEqualTo(1);
    }

    @Test
    void racing_puts_to_a_new_endpoint_uid_make_one_endpoint() throws Exception {
        var answers = atOnce(i -> herald.api.put("/api/v1/app/" + app + "/endpoint/raced",
                json("url", "https://example.com/" + i)));
        oneMadeTheRestReplaced(answers);
        assertThat(answers.stream().map(r -> r.text("id")).distinct()).hasSize(1);
        assertThat(count("select count(*) from endpoint where app_id = '" + app + "'")).isEqualTo(1);
    }

    @Test
    void racing_subscriptions_of_an_autoconfig_make_its_endpoint_or_destination_once() throws Exception {
        String base = "/api/v1/app/" + app + "/autoconfig/";
        String http = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("id");
        var endpoints = atOnce(i -> herald.api.put(base + http + "/endpoint", json("url", "https://example.com/" + i)));
        assertThat(endpoints).as("answers").allMatch(r -> r.status() == 200, "200");
        assertThat(endpoints.stream().map(r -> r.text("id")).distinct()).hasSize(1);
        assertThat(count("select count(*) from endpoint where app_id = '" + app + "'")).isEqualTo(1);

        String polling = herald.api.post("/api/v1/app/" + app + "/autoconfig", "{}").text("id");
        var destinations = atOnce(i -> herald.api.put(base + polling + "/destination", "{\"type\":\"pollingEndpoint\"}"));
        assertThat(destinations).as("answers").allMatch(r -> r.status() == 200, "200");
        assertThat(destinations.stream().map(r -> r.text("id")).distinct()).hasSize(1);
        assertThat(count("select count(*) from poller where app_id = '" + app + "'")).isEqualTo(1);
    }

    /** As an application's every instance might import its catalog as it starts: a racing import once met a 409. */
    @Test
    void racing_openapi_imports_of_one_catalog_all_succeed_and_make_each_type_once() throws Exception {
        String body = json("specRaw", EventTypeImportTest.SHOP_YAML);
        var answers = atOnce(i -> herald.api.post("/api/v1/event-type/import/openapi", body));
        assertThat(answers).as("answers").allMatch(r -> r.status() == 200, "200");
        assertThat(count("select count(*) from event_type where name in ('order.created', 'order.refunded')")).isEqualTo(2);
    }

    @Test
    void racing_puts_to_a_new_event_type_make_one() throws Exception {
        var answers = atOnce(i -> herald.api.put("/api/v1/event-type/raced.type", json("description", "D" + i)));
        oneMadeTheRestReplaced(answers);
        assertThat(count("select count(*) from event_type where name = 'raced.type'")).isEqualTo(1);
    }
}
