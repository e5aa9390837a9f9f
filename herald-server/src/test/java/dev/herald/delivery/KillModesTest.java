package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ApiClient;
import dev.herald.testing.HeraldProcess;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * At-least-once across a crash for the endpoints whose deliveries do not simply go out as they come due: an ordered one
 * (each message waits for the one before), a throttled one (its deliveries spread over time) and a paused one (its
 * deliveries parked until it is resumed). A node is SIGKILLed while all three have deliveries waiting, and another
 * started on the same database: every accepted message arrives at each, the ordered one's first in publish order.
 */
@Tag("kill")
@ExtendWith(TestDatabase.class)
class KillModesTest {
    private static final int MESSAGES = 150;

    @Test
    void ordered_throttled_and_paused_endpoints_get_every_accepted_message_after_sigkill_and_restart() throws Exception {
        var log = HeraldProcess.tempLog("kill-modes").toPath();
        try (var receiver = new Receiver(); var first = HeraldProcess.start(HeraldProcess.crashTestEnv(), log)) {
            // the ordered endpoint slow enough that most of its messages still wait when the kill lands
            receiver.reply(r -> r.path().equals("/ordered") ? new Receiver.Reply(200, Map.of(), Duration.ofMillis(60))
                    : Receiver.Reply.status(200));
            var api = new ApiClient(first.baseUrl(), TestHerald.ADMIN_TOKEN);
            String app = api.post("/api/v1/app", json("name", "kill-modes")).text("id");
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/ordered"), "ordering", "fifo"));
            api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/throttled"), "throttleRate", 20));
            String paused = api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/paused"))).text("id");
            assertThat(api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/pause", null).status()).isLessThan(300);

            // one publisher, so that publish order is the order the ordered endpoint must keep
            var accepted = new ArrayList<String>();
            for (int i = 0; i < MESSAGES; i++) {
                var response = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"m\",\"payload\":{\"i\":" + i + "}}");
                assertThat(response.status()).as(response.raw()).isEqualTo(202);
                accepted.add(response.text("id"));
            }
            Receiver.await(Duration.ofSeconds(60), () -> receiver.requests("/ordered").size() >= 10
                    && receiver.requests("/throttled").size() >= 10, "deliveries under way at both");
            first.kill();
            int orderedAtKill = receiver.requests("/ordered").size();
            int throttledAtKill = receiver.requests("/throttled").size();
            assertThat(receiver.requests("/paused")).as("a paused endpoint gets nothing").isEmpty();

            try (var second = HeraldProcess.start(HeraldProcess.crashTestEnv(), log)) {
                var again = new ApiClient(second.baseUrl(), TestHerald.ADMIN_TOKEN);
                assertThat(again.post("/api/v1/app/" + app + "/endpoint/" + paused + "/resume", null).status()).isLessThan(300);
                for (String path : List.of("/ordered", "/throttled", "/paused")) {
                    Receiver.await(Duration.ofSeconds(120), () -> receiver.messageIds(path).containsAll(accepted),
                            "every accepted message at " + path + " after the restart");
                }
                var firstArrivals = new LinkedHashSet<String>();
                receiver.requests("/ordered").forEach(r -> firstArrivals.add(r.header("webhook-id")));
                assertThat(List.copyOf(firstArrivals)).as("the ordered endpoint's first arrivals").isEqualTo(accepted);
                System.out.printf("kill modes: accepted=%d ordered-at-kill=%d throttled-at-kill=%d ordered=%d throttled=%d paused=%d%n",
                        accepted.size(), orderedAtKill, throttledAtKill, receiver.requests("/ordered").size(),
                        receiver.requests("/throttled").size(), receiver.requests("/paused").size());
                assertThat(orderedAtKill).as("the kill landed with ordered deliveries waiting").isLessThan(MESSAGES);
                assertThat(throttledAtKill).as("the kill landed with throttled deliveries waiting").isLessThan(MESSAGES);
                second.terminate(Duration.ofSeconds(30));
            }
        }
    }
}
