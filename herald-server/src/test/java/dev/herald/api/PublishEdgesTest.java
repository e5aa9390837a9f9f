package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Publishes a reviewer found mishandled: a rawPayload with text after its object, a number written back longer than
 * the API reads, an application made on the way that the path does not name, and a long URL beside an
 * idempotency-key.
 */
@ExtendWith(TestDatabase.class)
class PublishEdgesTest {
    private static final ObjectMapper PLAIN = new ObjectMapper();
    static TestHerald herald;
    static Receiver receiver;

    @BeforeAll
    static void start() {
        herald = TestHerald.start();
        receiver = new Receiver();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        herald.close();
    }

    private static String app(String name) {
        return herald.api.post("/api/v1/app", json("name", name)).text("id");
    }

    @Test
    void a_raw_payload_with_text_after_its_object_is_a_422_and_the_message_list_stays_json() throws Exception {
        String app = app("raw");
        var refused = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"a.b\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":\"{\\\"a\\\":1} trailing\"}}");
        assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
        var accepted = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"a.b\",\"payload\":{},\"transformationsParams\":{\"rawPayload\":\" {\\\"a\\\":1}\\n\"}}");
        assertThat(accepted.status()).as(accepted.raw()).isEqualTo(202);
        var list = herald.api.get("/api/v1/app/" + app + "/msg");
        assertThat(PLAIN.readTree(list.raw()).path("data")).hasSize(1);
    }

    /** A body that does not parse is told in the client's terms: not Jackson's settings and class names. */
    @Test
    void a_body_that_does_not_parse_is_told_without_jackson_s_words() throws Exception {
        String app = app("unparsed");
        String deep = "[".repeat(129) + "]".repeat(129);
        var cases = java.util.Map.of(
                "{\"name\":\"a\",\"name\":\"b\"}", "Invalid JSON: Duplicate field 'name'",
                "{\"name\":\"a\",\"x\":" + deep + "}", "Invalid JSON: Document nesting depth (129) exceeds the maximum allowed (128)",
                "{\"name\":\"a\",\"x\":1" + "0".repeat(100) + "}", "Invalid JSON: Number value length (101) exceeds the maximum allowed (100)");
        var empty = PLAIN.readTree(herald.api.post("/api/v1/app", "").raw()).path("detail").get(0);
        assertThat(empty.toString()).isEqualTo("{\"loc\":[\"body\"],\"msg\":\"A JSON body is required\",\"type\":\"value_error.missing\"}");
        for (var c : cases.entrySet()) {
            for (String path : java.util.List.of("/api/v1/app", "/api/v1/app/" + app + "/msg")) {
                var refused = herald.api.post(path, c.getKey().replace("\"name\"", path.endsWith("msg") ? "\"eventType\"" : "\"name\""));
                assertThat(refused.status()).as(path + " " + refused.raw()).isEqualTo(422);
                String said = PLAIN.readTree(refused.raw()).path("detail").get(0).path("msg").asText();
                assertThat(said).as(path).isEqualTo(c.getValue().replace("'name'", path.endsWith("msg") ? "'eventType'" : "'name'"));
                assertThat(refused.raw()).as(path).doesNotContain("`").doesNotContain("Feature").doesNotContain("Constraints");
            }
        }
    }

    /** serde_json, svix-server's, refuses anything after the body's value; the first value alone was taken. */
    @Test
    void a_body_with_anything_after_its_json_is_a_422_that_makes_nothing() throws Exception {
        String name = "trail-" + System.nanoTime();
        for (String body : java.util.List.of("{\"name\":\"" + name + "\"} trailing", "{\"name\":\"" + name + "\"}{\"name\":\"b\"}",
                "{\"name\":\"" + name + "\"}]]]")) {
            var refused = herald.api.post("/api/v1/app", body);
            assertThat(refused.status()).as(body + " -> " + refused.raw()).isEqualTo(422);
            assertThat(refused.raw()).contains("Invalid JSON");
        }
        String app = app("trail");
        var msg = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"x\",\"payload\":{\"a\":1}} garbage");
        assertThat(msg.status()).as(msg.raw()).isEqualTo(422);
        assertThat(PLAIN.readTree(herald.api.get("/api/v1/app/" + app + "/msg").raw()).path("data")).isEmpty();
        assertThat(herald.api.get("/api/v1/app?limit=250").raw()).doesNotContain(name);
        // white space after the value is no value
        assertThat(herald.api.post("/api/v1/app", "{\"name\":\"" + name + "\"} \n\t").status()).isEqualTo(201);
    }

    @Test
    void a_number_the_api_reads_reaches_a_filtered_endpoint_though_it_is_stored_with_more_digits() {
        String app = app("digits");
        String filtered = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/digits"),
                "filter", Map.of("payload.kind", "big"))).text("id");
        assertThat(filtered).startsWith("ep_");
        String number = "1".repeat(96) + "e-101"; // 99 digits read; written back as 0.00000 and 96 ones: 101
        var published = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"a.b\",\"payload\":{\"kind\":\"big\",\"n\":" + number + "}}");
        assertThat(published.status()).as(published.raw()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/digits").size() == 1, "the message received");
        assertThat(receiver.requests("/digits").get(0).body()).contains("0.00000" + "1".repeat(96));
    }

    /**
     * jsonb writes a number out in full: 1e100000, eight characters here, was stored and read back as 100,001 digits on
     * every publish to the app and every delivery. Refused beyond any double's digits (400), and 100,000 in all.
     */
    @Test
    void a_number_stored_with_more_digits_than_any_double_is_a_422_in_filters_transformations_and_schemas() throws Exception {
        String app = app("expanding digits");
        String url = receiver.url("/expanding");
        for (String extra : new String[] {"\"filter\":{\"payload.amount\":{\"$lt\":1e100000}}",
                "\"transformation\":{\"body\":{\"n\":1e-100000}}"}) {
            var refused = herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + url + "\"," + extra + "}");
            assertThat(refused.status()).as(refused.raw()).isEqualTo(422);
            assertThat(refused.raw()).contains("at most 400 digits written out");
        }
        // 250 numbers of 400 digits are 100,000 in all; one more is too many
        String many = "[" + "1e399,".repeat(250) + "1]";
        var tooMany = herald.api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"" + url + "\",\"transformation\":{\"body\":{\"n\":" + many + "}}}");
        assertThat(tooMany.status()).as(tooMany.raw()).isEqualTo(422);
        assertThat(tooMany.raw()).contains("100000 digits written out in all");
        var doubles = herald.api.post("/api/v1/app/" + app + "/endpoint", "{\"url\":\"" + url + "\","
                + "\"transformation\":{\"body\":{\"max\":1.7976931348623157e308,\"min\":4.9e-324}}}");
        assertThat(doubles.status()).as(doubles.raw()).isEqualTo(201);
        assertThat(PLAIN.readTree(herald.api.get("/api/v1/app/" + app + "/endpoint").raw()).path("data")).hasSize(1);

        var type = herald.api.post("/api/v1/event-type", "{\"name\":\"expanding.number\",\"description\":\"d\","
                + "\"schemas\":{\"1\":{\"type\":\"number\",\"maximum\":1e100000}}}");
        assertThat(type.status()).as(type.raw()).isEqualTo(422);
        assertThat(herald.api.get("/api/v1/event-type/expanding.number").status()).isEqualTo(404);
    }

    /** jsonb writes 1e100 as 101 digits: a filter, transformation or schema holding one must read back, not 422 for ever. */
    @Test
    void a_short_number_stored_with_many_digits_reads_back_in_endpoints_and_event_types() throws Exception {
        String app = app("stored digits");
        var endpoint = herald.api.post("/api/v1/app/" + app + "/endpoint",
                "{\"url\":\"" + receiver.url("/stored") + "\",\"filter\":{\"payload.amount\":{\"$lt\":1e100}},"
                        + "\"transformation\":{\"body\":{\"limit\":1e100,\"amount\":\"{{payload.amount}}\"}}}");
        assertThat(endpoint.status()).as(endpoint.raw()).isEqualTo(201);
        assertThat(endpoint.raw()).contains("1" + "0".repeat(100));
        var list = herald.api.get("/api/v1/app/" + app + "/endpoint");
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        assertThat(PLAIN.readTree(list.raw()).path("data")).hasSize(1);
        var published = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":{\"amount\":5}}");
        assertThat(published.status()).as(published.raw()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/stored").size() == 1, "the filtered, transformed message");
        assertThat(receiver.requests("/stored").get(0).body()).contains("1" + "0".repeat(100));

        var type = herald.api.post("/api/v1/event-type",
                "{\"name\":\"big.number\",\"description\":\"d\",\"schemas\":{\"1\":{\"type\":\"object\","
                        + "\"properties\":{\"n\":{\"type\":\"number\",\"maximum\":1e100}}}}}");
        assertThat(type.status()).as(type.raw()).isEqualTo(201);
        assertThat(herald.api.get("/api/v1/event-type/big.number").status()).isEqualTo(200);
        assertThat(herald.api.get("/api/v1/event-type?with_content=true").status()).isEqualTo(200);
        var checked = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"big.number\",\"payload\":{\"n\":5}}");
        assertThat(checked.status()).as(checked.raw()).isEqualTo(202);
    }

    /** serde_json's recursion limit (128) is svix-server's: a payload nesting 120 levels is taken, sent and read back. */
    @Test
    void a_payload_nested_as_deep_as_svix_takes_is_published_and_delivered() throws Exception {
        String app = app("deep");
        herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/deep")));
        String payload = "{\"a\":".repeat(120) + "1" + "}".repeat(120);
        var published = herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"a.b\",\"payload\":" + payload + "}");
        assertThat(published.status()).as(published.raw()).isEqualTo(202);
        Receiver.await(Duration.ofSeconds(20), () -> receiver.requests("/deep").size() == 1, "the deep message received");
        assertThat(PLAIN.readTree(receiver.requests("/deep").get(0).body())).isEqualTo(PLAIN.readTree(payload));
        assertThat(herald.api.get("/api/v1/app/" + app + "/msg/" + published.text("id")).status()).isEqualTo(200);
        var tooDeep = herald.api.post("/api/v1/app/" + app + "/msg",
                "{\"eventType\":\"a.b\",\"payload\":" + "{\"a\":".repeat(130) + "1" + "}".repeat(130) + "}");
        assertThat(tooDeep.status()).as(tooDeep.raw()).isEqualTo(422);
    }

    @Test
    void an_application_made_on_the_way_must_be_the_one_the_path_names() {
        String inApp = "{\"eventType\":\"a.b\",\"payload\":{},\"application\":{\"name\":\"x\"}}";
        var byId = herald.api.post("/api/v1/app/app_2NotThereAtAllxxxxxxxxxxxxx/msg", inApp);
        assertThat(byId.status()).as(byId.raw()).isEqualTo(422);
        assertThat(byId.raw()).contains("application_uid_missing");

        var nullUid = herald.api.post("/api/v1/app/made-on-the-way/msg",
                "{\"eventType\":\"a.b\",\"payload\":{},\"application\":{\"name\":\"x\",\"uid\":null}}");
        assertThat(nullUid.status()).as(nullUid.raw()).isEqualTo(202);
        var made = herald.api.get("/api/v1/app/made-on-the-way");
        assertThat(made.status()).isEqualTo(200);
        assertThat(made.text("uid")).isEqualTo("made-on-the-way");
        assertThat(herald.api.get("/api/v1/app/made-on-the-way/msg/" + nullUid.text("id")).status()).isEqualTo(200);

        // its fields' errors are located inside it, as svix-server's nested validation puts them
        var badName = herald.api.post("/api/v1/app/named-badly/msg",
                "{\"eventType\":\"a.b\",\"payload\":{},\"application\":{\"name\":\"\",\"uid\":\"named-badly\"}}");
        assertThat(badName.status()).as(badName.raw()).isEqualTo(422);
        assertThat(badName.body().path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"application\",\"name\"]");
        assertThat(herald.api.get("/api/v1/app/named-badly").status()).isEqualTo(404);
    }

    /**
     * Two nodes' batches whose duplicate eventIds cross deadlock, and PostgreSQL ends one: a trigger raises that error
     * for one message, and only its publish fails; the others of its batch are written one by one.
     */
    @Test
    void a_batch_ended_by_a_deadlock_is_written_one_by_one() throws Exception {
        String app = app("deadlock");
        TestDatabase.jdbi().useHandle(h -> h.execute("""
                create function herald_test_deadlock() returns trigger language plpgsql as $$
                begin
                  if new.event_id = 'deadlock-me' then raise exception 'deadlock detected (test)' using errcode = '40P01'; end if;
                  return new;
                end $$;
                create trigger herald_test_deadlock before insert on message for each row execute function herald_test_deadlock();
                """));
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = new java.util.ArrayList<java.util.concurrent.Future<Integer>>();
            var start = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 64; i++) {
                String eventId = i == 32 ? "deadlock-me" : "ev-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return herald.api.post("/api/v1/app/" + app + "/msg",
                            "{\"eventType\":\"a.b\",\"eventId\":\"" + eventId + "\",\"payload\":{}}").status();
                }));
            }
            start.countDown();
            int refused = 0;
            for (int i = 0; i < answers.size(); i++) {
                int status = answers.get(i).get();
                if (i == 32) assertThat(status).isEqualTo(503);
                else if (status != 202) refused++;
            }
            assertThat(refused).as("publishes refused beside the deadlocked one").isZero();
        } finally {
            TestDatabase.jdbi().useHandle(h -> h.execute("""
                    drop trigger herald_test_deadlock on message;
                    drop function herald_test_deadlock();
                    """));
        }
    }

    @Test
    void a_long_url_with_an_idempotency_key_is_kept_by_its_hash() {
        String app = app("longUrl");
        // random, so PostgreSQL cannot compress it under the index entry's limit
        byte[] noise = new byte[4500];
        new java.util.Random(7).nextBytes(noise);
        String pad = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(noise);
        String body = "{\"eventType\":\"a.b\",\"payload\":{\"n\":1}}";
        var first = herald.api.send("POST", "/api/v1/app/" + app + "/msg?pad=" + pad, body, "idempotency-key", "long-1");
        assertThat(first.status()).as(first.raw()).isEqualTo(202);
        var again = herald.api.send("POST", "/api/v1/app/" + app + "/msg?pad=" + pad, body, "idempotency-key", "long-1");
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.text("id")).isEqualTo(first.text("id"));
        var otherUrl = herald.api.send("POST", "/api/v1/app/" + app + "/msg?pad=" + pad + "y", body, "idempotency-key", "long-1");
        assertThat(otherUrl.status()).isEqualTo(202);
        assertThat(otherUrl.text("id")).isNotEqualTo(first.text("id"));
    }
}
