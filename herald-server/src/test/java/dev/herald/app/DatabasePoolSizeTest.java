package dev.herald.app;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.AtOnce;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HERALD_DATABASE_POOL_SIZE (Svix's db_pool_max_size): a node keeps that many general connections and works on them. */
@ExtendWith(TestDatabase.class)
class DatabasePoolSizeTest {
    @Test
    void a_node_with_the_smallest_pool_serves_a_burst_and_delivers() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_DATABASE_POOL_SIZE", "10");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            String metrics = herald.api.get("/metrics").raw();
            assertThat(metrics).contains("hikaricp_connections_max{pool=\"herald\"} 10.0");
            assertThat(metrics).contains("hikaricp_connections_max{pool=\"herald-hot-path\"} 8.0");

            String app = herald.api.post("/api/v1/app", json("name", "pool")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/p")));
            // 60 requests at once, reads and publishes, on 10 general connections: each answered, none waits out the pool
            var statuses = AtOnce.run(60, i -> switch (i % 3) {
                case 0 -> herald.api.get("/api/v1/app/" + app + "/endpoint").status();
                case 1 -> herald.api.get("/api/v1/app/" + app + "/msg").status();
                default -> herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}").status();
            });
            assertThat(statuses).allMatch(s -> s == 200 || s == 202);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/p").size() == 20, "the 20 published delivered");
        }
    }

    @Test
    void the_size_is_refused_outside_10_to_1000() {
        var env = new HashMap<>(TestHerald.defaultEnv());
        for (String bad : new String[] {"9", "1001", "ten", "-1"}) {
            env.put("HERALD_DATABASE_POOL_SIZE", bad);
            assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                    .hasMessage("HERALD_DATABASE_POOL_SIZE: must be an integer from 10 to 1000, got '" + bad + "'");
        }
        env.put("HERALD_DATABASE_POOL_SIZE", "1000");
        assertThat(HeraldConfig.fromEnvironment(env).databasePoolSize()).isEqualTo(1000);
        env.remove("HERALD_DATABASE_POOL_SIZE");
        assertThat(HeraldConfig.fromEnvironment(env).databasePoolSize()).isEqualTo(40);
    }
}
