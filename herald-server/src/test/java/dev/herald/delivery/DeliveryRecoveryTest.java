package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.attempts;
import static dev.herald.delivery.DeliveryFixture.data;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.pause;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.herald.testing.ApiClient;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The recovery tools a user reaches for after failures: resend, recover, send-example, and the views that
 * show what happened (stats, per-message and per-endpoint states, attempt filters). The retry schedule is
 * a single attempt, so a failure is final at once.
 */
@ExtendWith(TestDatabase.class)
class DeliveryRecoveryTest {
    static TestHerald herald;
    static ApiClient api;
    Receiver receiver;

    @BeforeAll
    static void start() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0");
        herald = TestHerald.start(env, Clock.systemUTC());
        api = herald.api;
    }

    @AfterAll
    static void stop() {
        herald.close();
    }

    @BeforeEach
    void receiver() {
        receiver = new Receiver();
    }

    @AfterEach
    void closeReceiver() {
        receiver.close();
    }

    private static List<String> ids(JsonNode data, String field) {
        return StreamSupport.stream(data.spliterator(), false).map(n -> n.path(field).asText()).toList();
    }

    private static JsonNode stats(String app, String ep) {
        var response = api.get("/api/v1/app/" + app + "/endpoint/" + ep + "/stats");
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.body();
    }

    @Test
    void resend_makes_one_more_manual_attempt() {
        String app = app(api, "resend");
        String ep = endpoint(api, app, receiver.url("/again"));
        String msg = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"n\":1}}");
        attempts(api, app, msg, 1);

        var resend = api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + ep + "/resend", null);
        assertThat(resend.status()).as(resend.toString()).isEqualTo(202);
        assertThat(resend.body().isObject() && resend.body().isEmpty()).as("Svix's EmptyResponse {}: " + resend).isTrue();
        var all = attempts(api, app, msg, 2);
        assertThat(all).hasSize(2);
        assertThat(all.get(0).path("triggerType").asInt()).isZero();
        assertThat(all.get(1).path("triggerType").asInt()).isEqualTo(1);
        assertThat(all.get(1).path("status").asInt()).isZero();
        assertThat(receiver.requests("/again")).hasSize(2)
                .allMatch(r -> r.header("webhook-id").equals(msg) && r.body().equals("{\"n\":1}"));
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/again")).as("exactly one more").hasSize(2);
    }

    @Test
    void resend_of_an_unknown_message_or_endpoint_is_a_404() {
        String app = app(api, "resend404");
        String ep = endpoint(api, app, receiver.url("/x"));
        String msg = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{}}");
        assertThat(api.post("/api/v1/app/" + app + "/msg/msg_nope/endpoint/" + ep + "/resend", null).status()).isEqualTo(404);
        assertThat(api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/ep_nope/resend", null).status()).isEqualTo(404);
    }

    @Test
    void resend_to_an_endpoint_the_message_was_never_queued_for_is_a_404_and_sends_nothing() {
        String app = app(api, "resendNew");
        String first = endpoint(api, app, receiver.url("/first"));
        String msg = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{}}");
        attempts(api, app, msg, 1);
        String later = endpoint(api, app, receiver.url("/later"));

        var resend = api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + later + "/resend", null);
        assertThat(resend.status()).as(resend.toString()).isEqualTo(404);
        assertThat(resend.body().path("code").asText()).isEqualTo("not_found");
        assertThat(api.post("/api/v1/app/" + app + "/msg/" + msg + "/endpoint/" + first + "/resend", null).status()).isEqualTo(202);
        attempts(api, app, msg, 2);
        assertThat(receiver.requests("/later")).isEmpty();
    }

    @Test
    void the_endpoints_of_a_message_are_paged_by_endpoint_id_newest_first() {
        String app = app(api, "destPages");
        var eps = new java.util.ArrayList<String>();
        for (int i = 0; i < 3; i++) eps.add(endpoint(api, app, receiver.url("/dest" + i)));
        String msg = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{}}");
        attempts(api, app, msg, 3);
        var newestFirst = eps.stream().sorted(java.util.Comparator.reverseOrder()).toList();

        String list = "/api/v1/app/" + app + "/msg/" + msg + "/endpoint";
        var seen = new java.util.ArrayList<String>();
        String iterator = null;
        for (int page = 0; page < 3; page++) {
            var body = api.get(list + "?limit=1" + (iterator == null ? "" : "&iterator=" + iterator)).body();
            assertThat(body.path("data")).as(body.toString()).hasSize(1);
            seen.add(body.path("data").get(0).path("id").asText());
            assertThat(body.path("done").asBoolean()).as(body.toString()).isEqualTo(page == 2);
            iterator = body.path("iterator").asText();
        }
        assertThat(seen).containsExactlyElementsOf(newestFirst);
        var last = api.get(list + "?limit=1&iterator=" + iterator).body();
        assertThat(last.path("data")).as(last.toString()).isEmpty();
        assertThat(last.path("done").asBoolean()).isTrue();
        assertThat(ids(data(api, list + "?limit=2"), "id")).containsExactlyElementsOf(newestFirst.subList(0, 2));
    }

    @Test
    void recover_resends_failed_messages_but_not_those_that_succeeded() {
        String app = app(api, "recover");
        String ep = endpoint(api, app, receiver.url("/flaky"));
        String ok = publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"ok\":true}}");
        attempts(api, app, ok, 1);

        receiver.reply(r -> Receiver.Reply.status(500));
        var failed = List.of(
                publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"n\":1}}"),
                publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"n\":2}}"),
                publish(api, app, "{\"eventType\":\"r.t\",\"payload\":{\"n\":3}}"));
        for (String msg : failed) assertThat(attempts(api, app, msg, 1).get(0).path("status").asInt()).isEqualTo(2);
        // schedule "0": one attempt, so each failure is final
        Receiver.await(WAIT, () -> stats(app, ep).path("fail").asInt() == 3, "three failed deliveries");
        assertThat(stats(app, ep).path("success").asInt()).isEqualTo(1);
        assertThat(stats(app, ep).path("pending").asInt()).isZero();
        assertThat(ids(data(api, "/api/v1/app/" + app + "/endpoint/" + ep + "/msg?status=2"), "id"))
                .containsExactlyInAnyOrderElementsOf(failed);

        receiver.reply(r -> Receiver.Reply.status(200));
        var recover = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/recover",
                json("since", Instant.now().minus(Duration.ofHours(1)).toString()));
        assertThat(recover.status()).as(recover.toString()).isEqualTo(202);

        Receiver.await(WAIT, () -> receiver.requests("/flaky").size() == 7, "the three failed messages again");
        var bodies = receiver.requests("/flaky").subList(4, 7).stream().map(Receiver.Request::body).toList();
        assertThat(bodies).containsExactlyInAnyOrder("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        Receiver.await(WAIT, () -> stats(app, ep).path("success").asInt() == 4, "all four delivered");
        assertThat(stats(app, ep).path("fail").asInt()).isZero();
        for (String msg : failed) {
            var recovered = attempts(api, app, msg, 2).get(1);
            assertThat(recovered.path("triggerType").asInt()).isEqualTo(1);
            assertThat(recovered.path("status").asInt()).isZero();
        }
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/flaky").stream().filter(r -> r.header("webhook-id").equals(ok)))
                .as("the message that had succeeded is not re-sent").hasSize(1);
    }

    @Test
    void recover_without_since_is_a_422() {
        String app = app(api, "recover422");
        String ep = endpoint(api, app, receiver.url("/r"));
        assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/recover", "{}").status()).isEqualTo(422);
    }

    @Test
    void send_example_delivers_the_schema_example_even_to_an_endpoint_filtering_the_type_out() throws Exception {
        var created = api.post("/api/v1/event-type", "{\"name\":\"user.created\",\"description\":\"A user\",\"schemas\":"
                + "{\"1\":{\"type\":\"object\",\"examples\":[{\"userId\":\"u_1\",\"name\":\"Ada\"}]}}}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(api.post("/api/v1/event-type", json("name", "order.placed", "description", "An order")).status()).isEqualTo(201);
        String app = app(api, "example");
        String ep = endpoint(api, app, receiver.url("/orders"), "filterTypes", List.of("order.placed"));

        // an ordinary user.created does not reach this endpoint...
        publish(api, app, "{\"eventType\":\"user.created\",\"payload\":{\"real\":true}}");
        var example = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "user.created"));
        assertThat(example.status()).as(example.toString()).isEqualTo(202);

        // ...but the example does, with the schema's example as its body
        Receiver.await(WAIT, () -> receiver.requests("/orders").size() == 1, "the example");
        var request = receiver.requests("/orders").get(0);
        assertThat(new ObjectMapper().readTree(request.body())).isEqualTo(new ObjectMapper().readTree("{\"userId\":\"u_1\",\"name\":\"Ada\"}"));
        assertThat(request.header("webhook-id")).isEqualTo(example.text("id"));
        var noSuchExample = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example",
                json("eventType", "user.created", "exampleIndex", 5));
        assertThat(noSuchExample.status()).as(noSuchExample.toString()).isEqualTo(422);
        pause(Duration.ofMillis(300));
        assertThat(receiver.requests("/orders")).hasSize(1);
    }

    @Test
    void send_example_of_svix_ping_sends_success_true_with_no_such_type_in_the_catalog() throws Exception {
        String app = app(api, "ping");
        String ep = endpoint(api, app, receiver.url("/ping"));
        var ping = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "svix.ping"));
        assertThat(ping.status()).as(ping.toString()).isEqualTo(202);
        assertThat(ping.text("eventType")).isEqualTo("svix.ping");

        Receiver.await(WAIT, () -> receiver.requests("/ping").size() == 1, "the ping");
        var request = receiver.requests("/ping").get(0);
        assertThat(new ObjectMapper().readTree(request.body())).isEqualTo(new ObjectMapper().readTree("{\"success\":true}"));
        assertThat(request.header("webhook-id")).isEqualTo(ping.text("id"));
        assertThat(api.get("/api/v1/event-type/svix.ping").status()).isEqualTo(404); // nothing added to the catalog
    }

    @Test
    void attempts_of_a_message_filtered_by_an_endpoint_the_application_lacks_are_a_404() {
        String app = app(api, "attempt-filter");
        String ep = endpoint(api, app, receiver.url("/f"));
        String other = endpoint(api, app(api, "attempt-filter-other"), receiver.url("/g"));
        String msg = publish(api, app, "{\"eventType\":\"f.t\",\"payload\":{}}");
        String byMsg = "/api/v1/app/" + app + "/attempt/msg/" + msg + "?endpoint_id=";
        Receiver.await(WAIT, () -> api.get(byMsg + ep).body().path("data").size() == 1, "the attempt, filtered by its endpoint");
        assertThat(api.get(byMsg + "ep_3N7XYCeBE8WAbq5geS0gNIsrGXT").status()).isEqualTo(404);
        assertThat(api.get(byMsg + "no-such-uid").status()).isEqualTo(404);
        assertThat(api.get(byMsg + other).status()).isEqualTo(404); // another application's endpoint
    }

    @Test
    void send_example_of_an_unknown_event_type_is_a_404() {
        String app = app(api, "example404");
        String ep = endpoint(api, app, receiver.url("/e"));
        var response = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/send-example", json("eventType", "no.such.type"));
        assertThat(response.status()).as(response.toString()).isEqualTo(404);
    }

    @Test
    void views_list_states_per_message_and_endpoint_and_filter_attempts() {
        receiver.reply(r -> r.path().equals("/bad") ? Receiver.Reply.status(503) : Receiver.Reply.status(204));
        String app = app(api, "views");
        String good = endpoint(api, app, receiver.url("/good"));
        String bad = endpoint(api, app, receiver.url("/bad"));
        String first = publish(api, app, "{\"eventType\":\"v.t\",\"payload\":{\"n\":1},\"channels\":[\"eu\"],\"tags\":[\"vip\"]}");
        String second = publish(api, app, "{\"eventType\":\"v.u\",\"payload\":{\"n\":2}}");
        attempts(api, app, first, 2);
        attempts(api, app, second, 2);
        Receiver.await(WAIT, () -> stats(app, bad).path("fail").asInt() == 2, "both failed at /bad");

        // per message: one state per endpoint
        var states = data(api, "/api/v1/app/" + app + "/msg/" + first + "/endpoint");
        assertThat(states).hasSize(2);
        for (JsonNode s : states) {
            int expected = s.path("id").asText().equals(good) ? 0 : 2;
            assertThat(s.path("status").asInt()).as(s.toString()).isEqualTo(expected);
            assertThat(s.path("url").asText()).startsWith("http://127.0.0.1:");
        }

        // per endpoint: its messages with their state there
        assertThat(ids(data(api, "/api/v1/app/" + app + "/endpoint/" + good + "/msg"), "id")).containsExactlyInAnyOrder(first, second);
        assertThat(data(api, "/api/v1/app/" + app + "/endpoint/" + good + "/msg")).allMatch(m -> m.path("status").asInt() == 0);
        assertThat(data(api, "/api/v1/app/" + app + "/endpoint/" + bad + "/msg?status=0")).isEmpty();
        assertThat(data(api, "/api/v1/app/" + app + "/endpoint/" + bad + "/msg?status=2")).hasSize(2);
        String goodMsgs = "/api/v1/app/" + app + "/endpoint/" + good + "/msg";
        assertThat(ids(data(api, goodMsgs + "?channel=eu"), "id")).containsExactly(first);
        assertThat(ids(data(api, goodMsgs + "?tag=vip"), "id")).containsExactly(first);
        assertThat(ids(data(api, goodMsgs + "?event_types=v.u"), "id")).containsExactly(second);
        assertThat(data(api, goodMsgs + "?channel=us")).isEmpty();

        // stats
        assertThat(stats(app, good).path("success").asInt()).isEqualTo(2);
        assertThat(stats(app, good).path("fail").asInt()).isZero();
        assertThat(stats(app, bad).path("fail").asInt()).isEqualTo(2);
        assertThat(stats(app, bad).path("success").asInt()).isZero();

        // stats in a window: both deliveries were queued within the last minute
        String badStats = "/api/v1/app/" + app + "/endpoint/" + bad + "/stats";
        String minuteAgo = Instant.now().minusSeconds(60).toString();
        assertThat(api.get(badStats + "?since=" + minuteAgo).body().path("fail").asInt()).isEqualTo(2);
        assertThat(api.get(badStats + "?until=" + minuteAgo).body().path("fail").asInt()).isZero();

        // attempts by endpoint, filtered by status, by status code class (as the SDKs send it) and by message
        String byGood = "/api/v1/app/" + app + "/attempt/endpoint/" + good;
        String byBad = "/api/v1/app/" + app + "/attempt/endpoint/" + bad;
        assertThat(data(api, byGood)).hasSize(2).allMatch(a -> a.path("endpointId").asText().equals(good));
        assertThat(data(api, byGood + "?status=0")).hasSize(2);
        assertThat(data(api, byGood + "?status=2")).isEmpty();
        assertThat(data(api, byGood + "?status_code_class=200")).hasSize(2).allMatch(a -> a.path("responseStatusCode").asInt() == 204);
        assertThat(data(api, byGood + "?status_code_class=500")).isEmpty();
        assertThat(data(api, byBad + "?status=2")).hasSize(2);
        assertThat(data(api, byBad + "?status_code_class=500")).hasSize(2).allMatch(a -> a.path("responseStatusCode").asInt() == 503);
        assertThat(data(api, byBad + "?status_code_class=200")).isEmpty();
        assertThat(data(api, byBad + "?status_code_class=0")).isEmpty();
        assertThat(data(api, byBad + "?status_code_class=5")).as("short form").hasSize(2);
        assertThat(ids(data(api, byBad + "?channel=eu"), "msgId")).containsExactly(first);
        assertThat(ids(data(api, byBad + "?tag=vip"), "msgId")).containsExactly(first);
        assertThat(ids(data(api, byBad + "?event_types=v.u"), "msgId")).containsExactly(second);
        assertThat(api.get(byBad + "?status=9").status()).isEqualTo(422);
        assertThat(api.get(byBad + "?status_code_class=250").status()).isEqualTo(422);

        // one attempt by id
        JsonNode attempt = data(api, byBad + "?status=2").get(0);
        String msgOfAttempt = attempt.path("msgId").asText();
        var one = api.get("/api/v1/app/" + app + "/msg/" + msgOfAttempt + "/attempt/" + attempt.path("id").asText());
        assertThat(one.status()).as(one.toString()).isEqualTo(200);
        assertThat(one.text("id")).isEqualTo(attempt.path("id").asText());
        assertThat(one.text("endpointId")).isEqualTo(bad);
        assertThat(one.body().path("responseStatusCode").asInt()).isEqualTo(503);
        String otherMsg = msgOfAttempt.equals(first) ? second : first;
        assertThat(api.get("/api/v1/app/" + app + "/msg/" + otherMsg + "/attempt/" + attempt.path("id").asText()).status())
                .as("an attempt is found only under its own message").isEqualTo(404);
    }
}
