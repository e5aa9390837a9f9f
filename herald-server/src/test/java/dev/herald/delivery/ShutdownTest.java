package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** SIGTERM: claiming stops, work still in flight after the shutdown timeout is handed back, not left to its lease. */
@Tag("kill")
@ExtendWith(TestDatabase.class)
class ShutdownTest {
    @Test
    void sigterm_hands_back_unfinished_work_so_the_next_node_sends_it_at_once() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.remove("HERALD_HTTP_ADDR");
        env.put("HERALD_SHUTDOWN_TIMEOUT", "1s");
        env.put("HERALD_REQUEST_TIMEOUT", "10s");
        env.put("HERALD_DELIVERY_LEASE", "5m");
        var log = HeraldProcess.tempLog("shutdown").toPath();
        // first closed too (killed if still alive): left running after a failure, it would take later tests' deliveries
        try (var receiver = new Receiver(); var first = HeraldProcess.start(env, log)) {
            var api = new ApiClient(first.baseUrl(), TestHerald.ADMIN_TOKEN);
            String app = api.post("/api/v1/app", json("name", "term")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/slow")));
            // the first node's requests hang past its shutdown timeout
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofSeconds(4)));
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                accepted.add(api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}").text("id"));
            }
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/slow").size() == 10, "all ten in flight");
            long start = System.nanoTime();
            first.terminate(Duration.ofSeconds(30));
            long stopMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(stopMillis).as("stops within the shutdown timeout plus closing").isLessThan(8_000);

            receiver.reply(r -> Receiver.Reply.status(200));
            try (var second = HeraldProcess.start(env, log)) {
                // a 5-minute lease would hold them; the hand-back makes them due at once
                Receiver.await(Duration.ofSeconds(20), () -> receiver.messageIds("/slow").containsAll(accepted)
                        && receiver.requests("/slow").size() >= 20, "handed-back deliveries resent");
                second.terminate(Duration.ofSeconds(30));
            }
        }
    }
}
