package dev.herald.api;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HERALD_SHUTDOWN_DELAY: a stopping node answers its readiness probe with a 503 at once but goes on serving for the
 * delay, so a load balancer that still routes to it meanwhile is answered, not refused.
 */
@ExtendWith(TestDatabase.class)
class ShutdownDelayTest {
    @Test
    void an_api_only_node_serves_through_the_delay_with_readiness_503_then_closes_its_listener() throws Exception {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_WORKER_ENABLED", "false");
        env.put("HERALD_SHUTDOWN_DELAY", "20s"); // what follows must happen within it, on however slow a machine
        var node = TestHerald.start(env, Clock.systemUTC());
        int port = node.herald.port();
        String app = node.api.post("/api/v1/app", json("name", "draining")).text("id");
        assertThat(node.api.get("/api/v1/health").status()).isEqualTo(204);

        var closed = CompletableFuture.runAsync(node::close);
        Receiver.await(Duration.ofSeconds(5), () -> node.api.get("/api/v1/health").status() == 503, "readiness 503");
        assertThat(node.api.get("/api/v1/health").body().path("detail").asText()).isEqualTo("shutting down");
        // still served: a publish routed here before the balancer noticed is taken, not refused
        var published = node.api.post("/api/v1/app/" + app + "/msg", json("eventType", "t", "payload", java.util.Map.of()));
        assertThat(published.status()).isEqualTo(202);
        assertThat(closed).isNotDone();

        closed.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void a_worker_only_node_does_not_wait_the_delay_no_balancer_routes_to_it() {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_API_ENABLED", "false");
        env.put("HERALD_SHUTDOWN_DELAY", "10m");
        var node = TestHerald.start(env, Clock.systemUTC());
        long start = System.nanoTime();
        node.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void without_the_setting_an_api_only_node_closes_its_listener_at_once() throws Exception {
        var env = TestHerald.defaultEnv();
        env.put("HERALD_WORKER_ENABLED", "false");
        var node = TestHerald.start(env, Clock.systemUTC());
        int port = node.herald.port();
        long start = System.nanoTime();
        node.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
}
