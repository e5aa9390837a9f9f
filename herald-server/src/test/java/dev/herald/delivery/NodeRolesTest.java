package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.config.ConfigException;
import dev.herald.config.HeraldConfig;
import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Svix's api_enabled / worker_enabled: an API-only node publishes and sends nothing, a worker-only node delivers what
 * the other published and answers only health and metrics.
 */
@ExtendWith(TestDatabase.class)
class NodeRolesTest {
    static Map<String, String> env(String name, String value) {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put(name, value);
        return env;
    }

    @Test
    void an_api_node_publishes_and_a_worker_node_delivers() throws Exception {
        try (var receiver = new Receiver();
             var apiNode = TestHerald.start(env("HERALD_WORKER_ENABLED", "false"), Clock.systemUTC())) {
            String app = apiNode.api.post("/api/v1/app", json("name", "roles")).text("id");
            apiNode.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/r")));
            for (int i = 0; i < 20; i++) {
                assertThat(apiNode.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}")
                        .status()).isEqualTo(202);
            }
            // a node that delivers writes what it publishes leased to itself, a minute ahead: these are due, for others
            long leased = TestDatabase.jdbi().withHandle(h -> h.createQuery(
                    "select count(*) from delivery_queue where next_attempt_at > now() + interval '10 seconds'").mapTo(Long.class).one());
            long queued = TestDatabase.jdbi().withHandle(h -> h.createQuery("select count(*) from delivery_queue").mapTo(Long.class).one());
            assertThat(leased).isZero();
            assertThat(queued).isEqualTo(20);
            assertThat(receiver.requests()).isEmpty();

            try (var workerNode = TestHerald.start(env("HERALD_API_ENABLED", "false"), Clock.systemUTC())) {
                Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").size() == 20, "the 20 delivered by the worker");
                assertThat(apiNode.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":20}}").status())
                        .isEqualTo(202);
                Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/r").size() == 21, "one more, published while it runs");

                var http = HttpClient.newHttpClient();
                String base = workerNode.baseUrl();
                assertThat(get(http, base + "/api/v1/health", null).statusCode()).isEqualTo(204);
                assertThat(get(http, base + "/metrics", null).statusCode()).isEqualTo(200);
                assertThat(get(http, base + "/api/v1/app", TestHerald.ADMIN_TOKEN).statusCode()).isEqualTo(404);
                assertThat(get(http, base + "/dashboard", null).statusCode()).isEqualTo(404);
            }
        }
    }

    @Test
    void a_node_must_have_a_role() {
        var env = env("HERALD_API_ENABLED", "false");
        env.put("HERALD_WORKER_ENABLED", "false");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_API_ENABLED, HERALD_WORKER_ENABLED: at least one must be true");
        env.put("HERALD_WORKER_ENABLED", "sometimes");
        assertThatThrownBy(() -> HeraldConfig.fromEnvironment(env)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("HERALD_WORKER_ENABLED");
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
