package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.WAIT;
import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.attempts;
import static dev.herald.delivery.DeliveryFixture.data;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.pause;
import static dev.herald.delivery.DeliveryFixture.publish;
import static dev.herald.delivery.DeliveryFixture.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.outbound.Signer;
import dev.herald.testing.MutableClock;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Time on Herald's clock: deliverAt holds a message until its time; a rotated-out secret signs only during its grace. */
@ExtendWith(TestDatabase.class)
class DeliverySchedulingTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void a_message_with_deliver_at_an_hour_ahead_arrives_only_once_that_hour_has_passed() {
        var clock = new MutableClock(T0);
        try (var receiver = new Receiver(); var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var api = herald.api;
            String app = app(api, "scheduled");
            String ep = endpoint(api, app, receiver.url("/later"));
            Instant deliverAt = T0.plus(Duration.ofHours(1));
            String msg = publish(api, app,
                    "{\"eventType\":\"s.t\",\"payload\":{\"when\":\"later\"},\"deliverAt\":\"" + deliverAt + "\"}");

            var state = data(api, "/api/v1/app/" + app + "/msg/" + msg + "/endpoint").get(0);
            assertThat(state.path("id").asText()).isEqualTo(ep);
            assertThat(state.path("status").asInt()).isEqualTo(1);
            assertThat(Instant.parse(state.path("nextAttempt").asText())).isEqualTo(deliverAt);
            assertThat(Instant.parse(api.get("/api/v1/app/" + app + "/msg/" + msg).text("deliverAt"))).isEqualTo(deliverAt);
            herald.herald.wakeDispatcher();
            pause(Duration.ofMillis(1_200));
            assertThat(receiver.requests()).isEmpty();

            clock.advance(Duration.ofHours(1).minusSeconds(1));
            herald.herald.wakeDispatcher();
            pause(Duration.ofMillis(500));
            assertThat(receiver.requests()).as("one second early").isEmpty();

            clock.advance(Duration.ofSeconds(1));
            herald.herald.wakeDispatcher();
            Receiver.await(WAIT, () -> receiver.requests("/later").size() == 1, "the scheduled delivery");
            assertThat(receiver.requests("/later").get(0).body()).isEqualTo("{\"when\":\"later\"}");
            assertThat(receiver.requests("/later").get(0).header("webhook-timestamp"))
                    .isEqualTo(Long.toString(deliverAt.getEpochSecond()));
        }
    }

    @Test
    void a_rotated_out_secret_stops_signing_when_its_grace_period_ends() throws Exception {
        var clock = new MutableClock(T0);
        try (var receiver = new Receiver(); var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            var api = herald.api;
            String app = app(api, "grace");
            String ep = endpoint(api, app, receiver.url("/g"));
            String oldSecret = secret(api, app, ep);
            var rotated = api.post("/api/v1/app/" + app + "/endpoint/" + ep + "/secret/rotate", "{\"gracePeriodSeconds\":3600}");
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(204);
            String newSecret = secret(api, app, ep);

            String first = publish(api, app, "{\"eventType\":\"g.t\",\"payload\":{\"n\":1}}");
            Receiver.await(WAIT, () -> receiver.requests("/g").size() == 1, "delivery within the grace period");
            // its result must be written before the clock jumps an hour: a jump past the claim's lease would (rightly,
            // at least once) send it again
            attempts(api, app, first, 1);
            var during = receiver.requests("/g").get(0);
            assertThat(during.header("webhook-signature").split(" ")).hasSize(2);
            assertThat(during.header("webhook-signature")).contains(signature(oldSecret, during)).contains(signature(newSecret, during));

            clock.advance(Duration.ofHours(1).plusSeconds(1));
            publish(api, app, "{\"eventType\":\"g.t\",\"payload\":{\"n\":2}}");
            Receiver.await(WAIT, () -> receiver.requests("/g").size() == 2, "delivery after the grace period");
            var after = receiver.requests("/g").get(1);
            assertThat(after.body()).isEqualTo("{\"n\":2}");
            assertThat(after.header("webhook-signature")).isEqualTo(signature(newSecret, after));
        }
    }

    /** The one v1 signature the secret gives this request (the test clock is not "now", so no timestamp check). */
    private static String signature(String secret, Receiver.Request request) {
        return Signer.signature(Signer.keyFromSecret(secret), request.header("webhook-id"),
                Long.parseLong(request.header("webhook-timestamp")), request.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_deliver_at_in_the_past_is_sent_at_once() {
        var clock = new MutableClock(T0);
        try (var receiver = new Receiver(); var herald = TestHerald.start(TestHerald.defaultEnv(), clock)) {
            String app = app(herald.api, "past");
            endpoint(herald.api, app, receiver.url("/now"));
            publish(herald.api, app, "{\"eventType\":\"s.t\",\"payload\":{},\"deliverAt\":\"" + T0.minusSeconds(3600) + "\"}");
            Receiver.await(WAIT, () -> receiver.requests("/now").size() == 1, "immediate delivery");
        }
    }
}
