package dev.herald.delivery;

import static dev.herald.testing.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.Receiver;
import dev.herald.testing.TestDatabase;
import dev.herald.testing.TestHerald;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Pause, not lose: a paused endpoint queues its messages and gets them all, in publish order, on resume. */
@ExtendWith(TestDatabase.class)
class PauseTest {
    @Test
    void a_paused_endpoint_keeps_its_messages_and_gets_them_in_order_on_resume() throws Exception {
        var env = new HashMap<>(TestHerald.defaultEnv());
        env.put("HERALD_MAX_IN_FLIGHT_PER_ENDPOINT", "1");
        try (var receiver = new Receiver(); var herald = TestHerald.start(env, Clock.systemUTC())) {
            String app = herald.api.post("/api/v1/app", json("name", "p")).text("id");
            String paused = herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/paused"))).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/live")));
            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/pause", "").status()).isEqualTo(204);
            assertThat(herald.api.get("/api/v1/app/" + app + "/endpoint/" + paused + "/pause").body().path("paused").asBoolean()).isTrue();
            for (int i = 0; i < 5; i++) {
                herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{\"i\":" + i + "}}");
            }
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/live").size() == 5, "the live endpoint served");
            Thread.sleep(1_500); // a poll round and more: the paused one must still have nothing
            assertThat(receiver.requests("/paused")).isEmpty();
            assertThat(herald.api.get("/api/v1/app/" + app + "/attempt/endpoint/" + paused).body().path("data")).isEmpty();

            assertThat(herald.api.post("/api/v1/app/" + app + "/endpoint/" + paused + "/resume", "").status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/paused").size() == 5, "the backlog after resume");
            var order = receiver.requests("/paused").stream().map(Receiver.Request::body).toList();
            assertThat(order).containsExactly("{\"i\":0}", "{\"i\":1}", "{\"i\":2}", "{\"i\":3}", "{\"i\":4}");
        }
    }

    @Test
    void the_global_pause_holds_every_delivery_while_publishing_goes_on() throws Exception {
        try (var receiver = new Receiver(); var herald = TestHerald.start()) {
            String app = herald.api.post("/api/v1/app", json("name", "g")).text("id");
            herald.api.post("/api/v1/app/" + app + "/endpoint", json("url", receiver.url("/g")));
            assertThat(herald.api.post("/api/v1/admin/pause", "").status()).isEqualTo(204);
            assertThat(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean()).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(herald.api.post("/api/v1/app/" + app + "/msg", "{\"eventType\":\"t\",\"payload\":{}}").status()).isEqualTo(202);
            }
            Thread.sleep(1_500);
            assertThat(receiver.requests()).isEmpty();
            // app-scoped tokens cannot flip the switch
            String portal = herald.api.post("/api/v1/auth/app-portal-access/" + app, "{}").text("token");
            assertThat(herald.api.withToken(portal).post("/api/v1/admin/resume", "").status()).isEqualTo(403);
            assertThat(herald.api.post("/api/v1/admin/resume", "").status()).isEqualTo(204);
            Receiver.await(Duration.ofSeconds(10), () -> receiver.requests("/g").size() == 3, "delivery after resume");
            assertThat(List.of(herald.api.get("/api/v1/admin/pause").body().path("paused").asBoolean())).containsExactly(false);
        }
    }
}
