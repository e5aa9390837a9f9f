package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Herald processes on one database under a steady publish load; each is SIGKILLed and restarted in
 * turn, several times. Every message answered with a 2xx arrives; duplicates come only from deliveries
 * in flight at a kill.
 */
@Tag("kill")
@ExtendWith(TestDatabase.class)
class ChaosTest {
    static final int MESSAGES = 10_000;
    static final int KILLS = 4;

    @Test
    void ten_thousand_messages_survive_repeated_kills_of_two_nodes() throws Exception {
        Path log = HeraldProcess.tempLog("chaos").toPath();
        try (var receiver = new Receiver()) {
            receiver.reply(r -> new Receiver.Reply(200, Map.of(), Duration.ofMillis(2)));
            var nodes = new HeraldProcess[] {HeraldProcess.start(HeraldProcess.crashTestEnv(), log), HeraldProcess.start(HeraldProcess.crashTestEnv(), log)};
            var admin = new ApiClient(nodes[0].baseUrl(), TestHerald.ADMIN_TOKEN);
            String app = admin.post("/api/v1/app", json("name", "chaos")).text("id");
            admin.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/c")));

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            var clients = new AtomicReference<>(new ApiClient[] {admin, new ApiClient(nodes[1].baseUrl(), TestHerald.ADMIN_TOKEN)});
            var done = new AtomicBoolean();
            var publishers = new Thread[8];
            var sent = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < publishers.length; t++) {
                int id = t;
                publishers[t] = Thread.ofPlatform().start(() -> {
                    while (!done.get()) {
                        int i = sent.getAndIncrement();
                        if (i >= MESSAGES * 2) break;
                        if (accepted.size() >= MESSAGES) break;
                        try {
                            var r = clients.get()[(i + id) % 2].post("/api/v1/app/" + app + "/msg",
                                    "{\"eventType\":\"chaos\",\"payload\":{\"i\":" + i + "}}");
                            if (r.status() == 202) accepted.add(r.text("id"));
                        } catch (RuntimeException e) {
                            // the node died under this request: it was never acknowledged
                        }
                    }
                });
            }
            for (int k = 0; k < KILLS; k++) {
                int target = k % 2;
                int threshold = (k + 1) * MESSAGES / (KILLS + 1);
                Receiver.await(Duration.ofMinutes(3), () -> accepted.size() >= threshold, "publishing to reach " + threshold);
                nodes[target].kill();
                nodes[target] = HeraldProcess.start(HeraldProcess.crashTestEnv(), log);
                var replaced = clients.get().clone();
                replaced[target] = new ApiClient(nodes[target].baseUrl(), TestHerald.ADMIN_TOKEN);
                clients.set(replaced);
            }
            for (Thread p : publishers) p.join();
            done.set(true);

            Receiver.await(Duration.ofMinutes(3), () -> receiver.messageIds("/c").containsAll(accepted), "every accepted message delivered");
            var counts = receiver.requests("/c").stream()
                    .collect(Collectors.groupingBy(r -> r.header("webhook-id"), Collectors.counting()));
            long duplicates = counts.values().stream().filter(c -> c > 1).count();
            System.out.printf("chaos test: accepted=%d delivered-distinct=%d duplicates=%d kills=%d%n",
                    accepted.size(), counts.size(), duplicates, KILLS);
            assertThat(accepted).hasSizeGreaterThanOrEqualTo(MESSAGES);
            // at most what two nodes can hold in flight at each kill
            assertThat(duplicates).isLessThan((long) KILLS * 1024);
            for (var node : nodes) node.terminate(Duration.ofSeconds(30));
        }
    }
}
