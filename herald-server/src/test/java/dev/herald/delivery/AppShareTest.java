package dev.herald.delivery;

import static dev.herald.delivery.DeliveryFixture.app;
import static dev.herald.delivery.DeliveryFixture.endpoint;
import static dev.herald.delivery.DeliveryFixture.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_MAX_IN_FLIGHT_PER_APP: one tenant's many slow endpoints, each within its own cap, together hold no more than
 * the application's share of the node's slots, and another application's deliveries go out meanwhile.
 */
@ExtendWith(TestDatabase.class)
class AppShareTest {
    static final List<String> SLOW = List.of("/slow-a", "/slow-b", "/slow-c");

    @Test
    void one_application_s_slow_endpoints_hold_its_share_and_leave_the_rest_to_another() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT", "8");
        env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "4");
        env.put("HERALD_MAX_IN_FLIGHT_PER_APP", "4");
        var answer = new CountDownLatch(1);
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            receiver.reply(r -> {
                if (SLOW.contains(r.path())) {
                    try {
                        answer.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Receiver.Reply.status(200);
            });
            var api = herald.api;
            String tenant = app(api, "many slow endpoints");
            for (String path : SLOW) endpoint(api, tenant, receiver.url(path));
            for (int i = 0; i < 6; i++) publish(api, tenant, "{\"eventType\":\"s.t\",\"payload\":{\"i\":" + i + "}}");
            // three endpoints with a cap of four each could hold twelve, the node's eight slots all
            Receiver.await(Duration.ofSeconds(10), () -> heldBy(receiver) == 4, "the tenant's share of requests out");

            String other = app(api, "another tenant");
            endpoint(api, other, receiver.url("/other"));
            publish(api, other, "{\"eventType\":\"o.t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/other").size() == 1,
                    "the other application's delivery while the tenant's hang");
            assertThat(heldBy(receiver)).as("the tenant's requests out, its share").isEqualTo(4);

            answer.countDown();
            Receiver.await(Duration.ofSeconds(30), () -> SLOW.stream().mapToInt(p -> receiver.requests(p).size()).sum() == 18,
                    "all eighteen of the tenant's deliveries");
        } finally {
            answer.countDown();
        }
    }

    private static int heldBy(Receiver receiver) {
        return SLOW.stream().mapToInt(receiver::inFlight).sum();
    }
}
