package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.svix.Svix;
import com.svix.exceptions.ApiException;
import com.svix.models.ApplicationIn;
import com.svix.models.EndpointIn;
import com.svix.models.OperationalWebhookEndpointHeadersIn;
import com.svix.models.OperationalWebhookEndpointIn;
import com.svix.models.OperationalWebhookEndpointSecretIn;
import com.svix.models.OperationalWebhookEndpointUpdate;
import dev.herald.testing.Receiver;
import dev.herald.testing.SvixSdk;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's operational webhook endpoints through the official Svix Java SDK: managed like endpoints, hidden from the
 * application routes, and sent Herald's operational events as messages are sent (signed, retried), never about their own
 * deliveries.
 */
@ExtendWith(TestDatabase.class)
class OperationalEndpointSdkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static TestHerald herald;
    static Svix svix;
    Receiver receiver;

    @BeforeAll
    static void start() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_RETRY_SCHEDULE", "0,1"); // one retry, a second later
        herald = TestHerald.start(env, Clock.systemUTC());
        svix = SvixSdk.client(herald);
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

    @Test
    void are_managed_through_the_sdk_and_hidden_from_the_application_routes() throws Exception {
        var ops = svix.getOperationalWebhookEndpoint();
        var created = ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/ops")))
                .uid("ops-main").description("alerts").filterTypes(Set.of("endpoint.disabled", "message.attempt.exhausted"))
                .metadata(Map.of("team", "payments")));
        assertThat(created.getId()).startsWith("ep_");
        assertThat(created.getFilterTypes()).containsExactlyInAnyOrder("endpoint.disabled", "message.attempt.exhausted");
        assertThat(ops.get("ops-main").getDescription()).isEqualTo("alerts");
        assertThat(ops.list().getData()).extracting(o -> o.getId()).containsExactly(created.getId());

        var updated = ops.update(created.getId(), new OperationalWebhookEndpointUpdate().url(URI.create(receiver.url("/ops2")))
                .description("pager"));
        assertThat(updated.getUrl().toString()).endsWith("/ops2");
        assertThat(updated.getDescription()).isEqualTo("pager");

        String secret = ops.getSecret(created.getId()).getKey();
        assertThat(secret).startsWith("whsec_");
        ops.rotateSecret(created.getId(), new OperationalWebhookEndpointSecretIn());
        assertThat(ops.getSecret(created.getId()).getKey()).startsWith("whsec_").isNotEqualTo(secret);
        ops.updateHeaders(created.getId(), new OperationalWebhookEndpointHeadersIn().headers(Map.of("X-Team", "payments")));
        assertThat(ops.getHeaders(created.getId()).getHeaders()).containsEntry("X-Team", "payments");

        // only the event types Herald raises can be filtered on
        assertThatThrownBy(() -> ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/x")))
                .filterTypes(Set.of("invoice.paid"))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(422));
        // admin only
        String appId = svix.getApplication().create(new ApplicationIn().name("tenant")).getId();
        var tenant = herald.api.withToken(herald.api.post("/api/v1/auth/app-portal-access/" + appId, "{}").text("token"));
        assertThat(tenant.get("/api/v1/operational-webhook/endpoint").status()).isEqualTo(403);

        // Herald's own application is nowhere among the applications
        assertThat(svix.getApplication().list().getData()).extracting(a -> a.getId()).containsExactly(appId);
        assertThat(herald.api.get("/api/v1/app/herald:operational").status()).isEqualTo(404);
        assertThat(herald.api.post("/api/v1/app/herald:operational/msg", "{\"eventType\":\"t\",\"payload\":{}}").status())
                .isEqualTo(404);
        String ownId = herald.api.get("/api/v1/app/" + appId).text("id"); // the routes still work for the others
        assertThat(ownId).isEqualTo(appId);
        assertThat(operationalAppId()).isNotNull();
        assertThat(herald.api.get("/api/v1/app/" + operationalAppId()).status()).isEqualTo(404);
        assertThat(herald.api.get("/api/v1/app/" + operationalAppId() + "/endpoint").status()).isEqualTo(404);

        ops.delete(created.getId());
        assertThat(ops.list().getData()).isEmpty();
    }

    @Test
    void receive_endpoint_events_signed_and_retried() throws Exception {
        var seen = new java.util.concurrent.atomic.AtomicInteger();
        receiver.reply(r -> seen.incrementAndGet() == 1 ? Receiver.Reply.status(503) : Receiver.Reply.status(200));
        var ops = svix.getOperationalWebhookEndpoint();
        String opsId = ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/ops")))
                .filterTypes(Set.of("endpoint.created"))).getId();
        String secret = ops.getSecret(opsId).getKey();

        String app = svix.getApplication().create(new ApplicationIn().name("customer")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/customer"))).getId();

        // the first try is refused (503) and the retry a second later succeeds
        Receiver.await(WAIT, () -> receiver.requests("/ops").size() >= 2, "the endpoint.created event, retried");
        var requests = receiver.requests("/ops");
        assertThat(requests.get(0).header("webhook-id")).isEqualTo(requests.get(1).header("webhook-id"));
        var last = requests.get(1);
        JsonNode event = JSON.readTree(last.body());
        assertThat(event.path("type").asText()).isEqualTo("endpoint.created");
        assertThat(event.path("data").path("appId").asText()).isEqualTo(app);
        assertThat(event.path("data").path("endpointId").asText()).isEqualTo(ep);
        var headers = HttpHeaders.of(Map.of("webhook-id", List.of(last.header("webhook-id")),
                "webhook-timestamp", List.of(last.header("webhook-timestamp")),
                "webhook-signature", List.of(last.header("webhook-signature"))), (n, v) -> true);
        assertThatCode(() -> new com.standardwebhooks.Webhook(secret).verify(last.body(), headers)).doesNotThrowAnyException();
    }

    @Test
    void filter_on_event_types_and_raise_nothing_about_their_own_deliveries() throws Exception {
        receiver.reply(r -> r.path().equals("/broken") ? Receiver.Reply.status(500) : Receiver.Reply.status(200));
        var ops = svix.getOperationalWebhookEndpoint();
        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/deletions")))
                .filterTypes(Set.of("endpoint.deleted")));
        // takes every event and fails every one: its exhausted deliveries must not become events in turn
        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/broken"))));

        String app = svix.getApplication().create(new ApplicationIn().name("customer")).getId();
        String first = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/a"))).getId();
        svix.getEndpoint().delete(app, first);
        Receiver.await(WAIT, () -> receiver.requests("/deletions").size() == 1, "the endpoint.deleted event");
        // two events, each tried twice (schedule "0,1"), then exhausted
        Receiver.await(WAIT, () -> receiver.requests("/broken").size() == 4, "both events tried twice at /broken");
        String second = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/b"))).getId();
        Receiver.await(WAIT, () -> receiver.requests("/broken").stream().anyMatch(r -> r.body().contains(second)),
                "the next event at /broken");

        assertThat(receiver.requests("/deletions")).hasSize(1)
                .allMatch(r -> r.body().contains("\"endpoint.deleted\"") && r.body().contains(first));
        assertThat(receiver.requests("/broken")).extracting(r -> JSON.readTree(r.body()).path("type").asText())
                .allMatch(type -> type.startsWith("endpoint."));
        assertThat(operationalEventTypes()).as("events published into Herald's own application")
                .containsOnly("endpoint.created", "endpoint.deleted");
    }

    @Test
    void an_endpoint_turned_off_and_on_and_a_finished_background_task_are_events_too() throws Exception {
        var ops = svix.getOperationalWebhookEndpoint();
        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/toggles")))
                .filterTypes(Set.of("endpoint.disabled", "endpoint.enabled")));
        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/tasks")))
                .filterTypes(Set.of("background_task.finished")));
        String app = svix.getApplication().create(new ApplicationIn().name("customer").uid("customer-7")).getId();
        String ep = svix.getEndpoint().create(app, new EndpointIn().url(URI.create("http://127.0.0.1:9/c"))).getId();

        svix.getEndpoint().patch(app, ep, new com.svix.models.EndpointPatch().disabled(true));
        svix.getEndpoint().patch(app, ep, new com.svix.models.EndpointPatch().description("no change of state"));
        svix.getEndpoint().patch(app, ep, new com.svix.models.EndpointPatch().disabled(false));
        Receiver.await(WAIT, () -> receiver.requests("/toggles").size() >= 2, "endpoint.disabled and endpoint.enabled");
        var toggles = receiver.requests("/toggles").stream().map(r -> {
            try {
                return JSON.readTree(r.body());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(toggles).extracting(e -> e.path("type").asText()).containsExactlyInAnyOrder("endpoint.disabled", "endpoint.enabled");
        var disabled = toggles.stream().filter(e -> e.path("type").asText().equals("endpoint.disabled")).findFirst().orElseThrow();
        assertThat(disabled.path("data").path("trigger").asText()).isEqualTo("manual");
        assertThat(disabled.path("data").path("endpointId").asText()).isEqualTo(ep);
        assertThat(disabled.path("data").path("appUid").asText()).isEqualTo("customer-7");

        svix.getEndpoint().recover(app, ep, new com.svix.models.RecoverIn().since(java.time.OffsetDateTime.now().minusHours(1)));
        Receiver.await(WAIT, () -> !receiver.requests("/tasks").isEmpty(), "background_task.finished");
        var task = JSON.readTree(receiver.requests("/tasks").getFirst().body());
        assertThat(task.path("type").asText()).isEqualTo("background_task.finished");
        assertThat(task.path("data").path("taskId").asText()).startsWith("qtask_");
        assertThat(task.path("data").path("task").asText()).isEqualTo("endpoint.recover");
        assertThat(task.path("data").path("status").asText()).isEqualTo("finished");
        assertThat(receiver.requests("/toggles")).as("nothing more: the description's change neither disabled nor enabled").hasSize(2);
    }

    /**
     * message.attempt.log: raised once an operational endpoint names it, in batches, one entry per attempt of the
     * customers' deliveries (never of its own).
     */
    @Test
    void attempt_logs_come_in_batches_once_an_endpoint_asks_for_them_by_name() throws Exception {
        receiver.reply(r -> r.path().equals("/customer-down") ? Receiver.Reply.status(503) : Receiver.Reply.status(200));
        var ops = svix.getOperationalWebhookEndpoint();
        String app = svix.getApplication().create(new ApplicationIn().name("customer").uid("logged")).getId();
        svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/customer"))));
        // an endpoint taking every type does not by itself make Herald log attempts
        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/everything"))));
        String before = svix.getMessage().create(app, new com.svix.models.MessageIn().eventType("invoice.paid")
                .payload("{\"n\":0}")).getId();
        Receiver.await(WAIT, () -> receiver.requests("/customer").size() == 1, "the first delivery");
        // recorded, not only received: an attempt is logged (or not) when it is recorded, which follows its receipt
        Receiver.await(WAIT, () -> SvixSdk.call(() -> svix.getMessageAttempt().listByMsg(app, before).getData().size()) == 1,
                "the first attempt recorded");

        ops.create(new OperationalWebhookEndpointIn().url(URI.create(receiver.url("/log"))).filterTypes(Set.of("message.attempt.log")));
        svix.getEndpoint().create(app, new EndpointIn().url(URI.create(receiver.url("/customer-down"))));
        var sent = new java.util.ArrayList<String>();
        for (int i = 1; i <= 3; i++) {
            sent.add(svix.getMessage().create(app, new com.svix.models.MessageIn().eventType("invoice.paid").eventId("evt-" + i)
                    .payload("{\"n\":" + i + "}")).getId());
        }
        var logged = new java.util.HashMap<String, JsonNode>();
        Receiver.await(WAIT, () -> {
            for (var request : receiver.requests("/log")) {
                for (var entry : tree(request.body()).path("data")) {
                    logged.put(entry.path("msgId").asText() + " " + entry.path("responseStatusCode").asInt(), entry);
                }
            }
            return sent.stream().allMatch(id -> logged.containsKey(id + " 200") && logged.containsKey(id + " 503"));
        }, "an attempt log entry for each message at each endpoint");
        var first = JSON.readTree(receiver.requests("/log").getFirst().body());
        assertThat(first.path("type").asText()).isEqualTo("message.attempt.log");
        assertThat(first.path("data").isArray()).isTrue();
        var ok = logged.get(sent.get(0) + " 200");
        assertThat(ok.path("appId").asText()).isEqualTo(app);
        assertThat(ok.path("appUid").asText()).isEqualTo("logged");
        assertThat(ok.path("msgEventId").asText()).isEqualTo("evt-1");
        assertThat(ok.path("eventType").asText()).isEqualTo("invoice.paid");
        assertThat(ok.path("attemptId").asText()).startsWith("atmpt_");
        assertThat(ok.path("attemptCount").asInt()).isEqualTo(1);
        assertThat(ok.path("status").asInt()).isZero();
        assertThat(logged.get(sent.get(0) + " 503").path("status").asInt()).isEqualTo(2);
        assertThat(logged.keySet()).as("attempts from before an endpoint asked are not logged").noneMatch(k -> k.startsWith(before));
        assertThat(logged.values()).as("never the operational deliveries' own attempts")
                .allMatch(e -> e.path("appId").asText().equals(app));
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String operationalAppId() {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select id from application where uid = 'herald:operational'")
                .mapTo(String.class).findOne().orElse(null));
    }

    private static List<String> operationalEventTypes() {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("""
                select m.event_type from message m join application a on a.id = m.app_id where a.uid = 'herald:operational'
                """).mapTo(String.class).list());
    }
}
