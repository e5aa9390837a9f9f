package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * At-least-once across a crash: a Herald process publishes to a receiver, is SIGKILLed mid-run and
 * restarted on the same database; every message that got a 2xx arrives.
 */
@Tag("kill")
@ExtendWith(TestDatabase.class)
class KillTest {

    @Test
    void every_accepted_message_arrives_after_sigkill_and_restart() throws Exception {
        var log = HeraldProcess.tempLog("kill").toPath();
        // first closed too (killed if still alive): left running after a failure, it would take later tests' deliveries
        try (var receiver = new Receiver(); var first = HeraldProcess.start(HeraldProcess.crashTestEnv(), log)) {
            // slow enough that deliveries are in flight when the kill lands
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(400)));
            var api = new ApiClient(first.baseUrl(), TestHerald.ADMIN_TOKEN);
            String app = api.post("/api/v1/app", json("name", "kill")).text("id");
            assertThat(api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/k"))).status()).isEqualTo(201);

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            var stop = new AtomicBoolean();
            var publishers = new Thread[4];
            for (int t = 0; t < publishers.length; t++) {
                publishers[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 2_000 && !stop.get(); i++) {
                        try {
                            var response = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"k\",\"payload\":{\"i\":" + i + "}}");
                            if (response.status() == 202) accepted.add(response.text("id"));
                        } catch (RuntimeException e) {
                            // the server died under us: this message was never acknowledged
                        }
                    }
                });
            }
            Receiver.await(Duration.ofSeconds(90), () -> accepted.size() >= 1_500 && receiver.requests("/k").size() >= 100,
                    "publishing and deliveries under way");
            first.kill();
            stop.set(true);
            for (Thread p : publishers) p.join();
            int receivedAtKill = receiver.requests("/k").size();

            try (var second = HeraldProcess.start(HeraldProcess.crashTestEnv(), log)) {
                Receiver.await(Duration.ofSeconds(90), () -> receivedIds(receiver).containsAll(accepted),
                        "every accepted message to arrive after restart");
                var counts = receiver.requests("/k").stream()
                        .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
                long duplicates = counts.values().stream().filter(c -> c > 1).count();
                System.out.printf("kill test: accepted=%d received-at-kill=%d distinct=%d duplicates=%d%n",
                        accepted.size(), receivedAtKill, counts.size(), duplicates);
                assertThat(accepted).hasSizeGreaterThanOrEqualTo(1_500);
                assertThat(receivedAtKill).isLessThan(accepted.size());
                // duplicates come only from deliveries in flight at the kill, bounded by the in-flight cap
                assertThat(duplicates).isLessThanOrEqualTo(1024);
                second.terminate(Duration.ofSeconds(30));
            }
        }
    }

    private static Set<String> receivedIds(Receiver receiver) {
        return receiver.messageIds("/k");
    }
}
