package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.attempts;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.delivery.DeliveryFixture.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domain.Ids;
import dev.herald.domain.Message;
import dev.herald.store.MessageStore;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Deliveries due at once are written leased to the node that publishes them and sent without a claim; one whose node
 * never sends it (it died after the commit) is claimed by a node once the lease has run out.
 */
@ExtendWith(TestDatabase.class)
class LeaseAtPublishTest {
    private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");

    private static String queueRow(String msgId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery(
                "select attempt_count || ' ' || next_attempt_at from delivery_queue where msg_id = :m")
                .bind("m", msgId).mapTo(String.class).findOne().orElse("gone"));
    }

    @Test
    void a_published_delivery_is_written_leased_and_sent_signed_without_a_claim() throws Exception {
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            String app = app(herald.api, "leased");
            String ep = endpoint(herald.api, app, receiver.url("/leased"));

            String msg = publish(herald.api, app, "{\"eventType\":\"invoice.paid\",\"payload\":{\"n\":1}}");

            var attempt = attempts(herald.api, app, msg, 1).get(0);
            assertThat(attempt.path("responseStatusCode").asInt()).isEqualTo(200);
            assertThat(herald.herald.metrics().leasedAtPublishCount()).isEqualTo(1.0);
            Receiver.await(WAIT, () -> queueRow(msg).equals("gone"), "the finished delivery's queue row deleted");
            var request = receiver.requests("/leased").get(0);
            assertThat(request.header("webhook-id")).isEqualTo(msg);
            // the Standard Webhooks verifier accepts it: the endpoint's secret was read with the publish
            new com.standardwebhooks.Webhook(secret(herald.api, app, ep)).verify(request.body(), Map.of(
                    "webhook-id", List.of(request.header("webhook-id")),
                    "webhook-timestamp", List.of(request.header("webhook-timestamp")),
                    "webhook-signature", List.of(request.header("webhook-signature"))));
        }
    }

    @Test
    void a_delivery_leased_by_a_node_that_never_sent_it_is_claimed_once_the_lease_runs_out() {
        var clock = new MutableClock(START);
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_POLL_INTERVAL", "50ms");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, clock)) {
            String app = app(herald.api, "orphaned");
            endpoint(herald.api, app, receiver.url("/orphaned"));
            // written as a publishing node would, leased to it, by a node that then died before sending
            var messages = new MessageStore(TestDatabase.jdbi(), TestDatabase.hotPathJdbi());
            var message = new Message(Ids.next(Ids.MESSAGE), app, "invoice.paid", null, "{\"n\":2}", null, null, START, null, null);
            var lease = new MessageStore.Lease(START, START.plusSeconds(60));
            assertThat(messages.publishBatch(List.of(message), List.of(START), lease).leased()).hasSize(1);

            clock.advance(Duration.ofSeconds(59));
            herald.herald.wakeDispatcher();
            assertThat(queueRow(message.id())).startsWith("1 ");
            assertThat(receiver.requests("/orphaned")).isEmpty();

            clock.advance(Duration.ofSeconds(2));
            herald.herald.wakeDispatcher();
            Receiver.await(WAIT, () -> receiver.requests("/orphaned").size() == 1, "the orphaned delivery");
            assertThat(receiver.requests("/orphaned").get(0).header("webhook-id")).isEqualTo(message.id());
            Receiver.await(WAIT, () -> queueRow(message.id()).equals("gone"), "its queue row deleted once recorded");
        }
    }

    @Test
    void a_node_started_with_delivery_paused_leases_nothing_and_leaves_its_deliveries_due_until_the_api_resumes() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DELIVERY_PAUSED", "true");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, java.time.Clock.systemUTC())) {
            String app = app(herald.api, "paused");
            endpoint(herald.api, app, receiver.url("/paused"));

            String msg = publish(herald.api, app, "{\"eventType\":\"invoice.paid\",\"payload\":{\"n\":3}}");

            assertThat(queueRow(msg)).startsWith("0 ");
            assertThat(herald.herald.metrics().leasedAtPublishCount()).isZero();
            // the switch the API shows and lifts (it was the node's own: shown not paused, never resumed)
            assertThat(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean()).isTrue();
            assertThat(herald.api.post("/api/v1/admin/resume", "").status()).isEqualTo(204);
            Receiver.await(WAIT, () -> receiver.requests("/paused").size() == 1, "the held delivery once resumed");
        }
    }

    @Test
    void an_endpoint_whose_breaker_opened_is_not_leased_once_idle_and_an_idle_healthy_one_is() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_CIRCUIT_BREAKER_FAILURES", "3");
        env.put("HERALD_POLL_INTERVAL", "1h"); // no claim in between, whose held-back list would name the endpoint too
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, new MutableClock(START))) {
            receiver.reply(r -> Receiver.Reply.status(r.path().equals("/down") ? 500 : 200));
            String downApp = app(herald.api, "held-down");
            String down = endpoint(herald.api, downApp, receiver.url("/down"));
            String upApp = app(herald.api, "held-up");
            endpoint(herald.api, upApp, receiver.url("/up"));
            for (int i = 0; i < 3; i++) publish(herald.api, downApp, "{\"eventType\":\"a.b\",\"payload\":{\"i\":" + i + "}}");
            Receiver.await(WAIT, () -> failedAttempts(down) == 3, "three failures, which open the breaker");

            // the healthy endpoint's lane goes idle between its two messages; each is leased
            publish(herald.api, upApp, "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(WAIT, () -> receiver.requests("/up").size() == 1, "the healthy endpoint's first message");
            String second = publish(herald.api, upApp, "{\"eventType\":\"a.b\",\"payload\":{}}");
            Receiver.await(WAIT, () -> queueRow(second).equals("gone"), "the healthy endpoint's second message");
            // the failing endpoint's lane is idle too (no request out), but held: its new delivery is written due
            String held = publish(herald.api, downApp, "{\"eventType\":\"a.b\",\"payload\":{\"i\":3}}");

            assertThat(herald.herald.metrics().leasedAtPublishCount()).as("3 failing, 2 healthy leased; the held one not").isEqualTo(5.0);
            assertThat(queueRow(held)).startsWith("0 ");
            assertThat(receiver.requests("/down")).hasSize(3);
        }
    }

    private static long failedAttempts(String endpointId) {
        return TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from attempt where endpoint_id = :e and response_status_code = 500")
                .bind("e", endpointId).mapTo(Long.class).one());
    }
}
