package dev.herald.reliability;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.store.EmbeddedPostgresServer;
import dev.herald.testing.Receiver;
import dev.herald.testing.TcpProxy;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The results' statement commits, and its answer never reaches Herald (the connection dies on the way back). The
 * recorder must try again, since it cannot tell, and the second try must not write the attempt a second time.
 */
class LostCommitAnswerTest {
    private static final Pattern SUCCEEDED = Pattern.compile("(?m)^herald_deliveries_succeeded_total(?:\\{[^}]*})? (\\S+)$");

    @Test
    void a_result_whose_commit_answer_was_lost_is_written_once() throws Exception {
        try (var postgres = EmbeddedPostgresServer.startThrowaway("herald-lost-answer", false, Map.of());
             var proxy = new TcpProxy(postgres.port());
             var receiver = new Receiver()) {
            var env = new HashMap<>(TestHerald.defaultEnv());
            env.put("HERALD_DATABASE_URL", postgres.jdbcUrl().replace(":" + postgres.port() + "/", ":" + proxy.port() + "/"));
            try (var herald = TestHerald.start(env, Clock.systemUTC())) {
                var api = herald.api;
                String app = api.post("/api/v1/app", json("name", "lost answer")).text("id");
                api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/hook")));

                proxy.loseAnswerTo("insert into attempt");
                String msg = api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"n\":1}}").text("id");

                Receiver.await(Duration.ofSeconds(20), () -> receiver.messageIds("/hook").contains(msg), "the delivery");
                Receiver.await(Duration.ofSeconds(20), () -> proxy.answersLost() == 1, "the results' answer lost");
                // the counter moves only once a write got its answer: the try after the lost one
                Receiver.await(Duration.ofSeconds(20), () -> succeeded(api.get("/metrics").raw()) >= 1, "the result written again");

                var attempts = api.get("/api/v1/app/" + app + "/attempt/msg/" + msg).body().path("data");
                assertThat(attempts.size()).as("attempts of the message: " + attempts).isEqualTo(1);
                assertThat(attempts.get(0).path("status").asInt()).isZero();
                assertThat(api.get("/api/v1/app/" + app + "/msg/" + msg + "/endpoint").body().path("data").get(0).path("status").asInt())
                        .as("delivered").isZero();
            }
        }
    }

    private static double succeeded(String scrape) {
        var m = SUCCEEDED.matcher(scrape);
        double total = 0;
        while (m.find()) total += Double.parseDouble(m.group(1));
        return total;
    }
}
