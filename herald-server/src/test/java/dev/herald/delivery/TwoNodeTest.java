package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Several nodes on one database: a publish on one wakes the others (LISTEN/NOTIFY), and none sends twice. */
@ExtendWith(TestDatabase.class)
class TwoNodeTest {
    @Test
    void a_publish_on_one_node_wakes_another_node_through_notify() throws InterruptedException {
        var publishingEnv = new HashMap<>(TestHerald.defaultEnv());
        publishingEnv.put("HERALD_WORKER_ENABLED", "false");
        var deliveringEnv = new HashMap<>(TestHerald.defaultEnv());
        // polling alone would take a minute: arrival within seconds proves the notification
        deliveringEnv.put("HERALD_POLL_INTERVAL", "60s");
        try (var receiver = new Receiver();
             var publishing = TestHerald.start(publishingEnv, Clock.systemUTC());
             var delivering = TestHerald.start(deliveringEnv, Clock.systemUTC())) {
            String app = publishing.api.post("/api/v1/app", json("name", "two")).text("id");
            publishing.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/n")));
            // the first message may go with a claim the delivering node made as it started; the second, published once the
            // first arrived, can go only when a notification wakes it: its next poll is a minute away
            publishing.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(70), () -> receiver.requests("/n").size() == 1, "the first delivery");
            publishing.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}");
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/n").size() == 2, "delivery by the other node");
        }
    }

    @Test
    void two_active_nodes_share_the_queue_without_sending_twice() {
        try (var receiver = new Receiver();
             var a = TestHerald.start();
             var b = TestHerald.start()) {
            String app = a.api.post("/api/v1/app", json("name", "two")).text("id");
            a.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/s")));
            int messages = 400;
            for (int i = 0; i < messages; i++) {
                var node = i % 2 == 0 ? a : b;
                assertThat(node.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}").status())
                        .isEqualTo(202);
            }
            Receiver.await(Duration.ofSeconds(30), () -> receiver.requests("/s").size() >= messages, "all delivered");
            var perId = receiver.requests("/s").stream().collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
            assertThat(perId).hasSize(messages);
            assertThat(perId.values()).allMatch(count -> count == 1);
        }
    }
}
